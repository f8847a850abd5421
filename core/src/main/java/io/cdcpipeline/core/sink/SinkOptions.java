package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.ConfigGroups;
import java.util.List;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings both sinks share, defined once: retries of what failed for a retriable reason, the buffer's byte
 * bound and linger time, and Debezium's unchanged-TOAST placeholder. Each sink says in its own words what an attempt
 * and a batch are for it; names, types, bounds and the check that the longest wait is not below the first are the
 * same.
 */
public final class SinkOptions {

    public static final String BATCH_MAX_BYTES = "batch.max.bytes";
    public static final String BATCH_LINGER_MS = "batch.linger.ms";
    public static final String RETRY_MAX_ATTEMPTS = "retry.max.attempts";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String TOAST_PLACEHOLDER = "toast.placeholder";

    private SinkOptions() {
    }

    /** {@code retry.*}: {@code attempts} says what is attempted and what happens when the attempts are used up. */
    public static ConfigDef defineRetries(ConfigDef def, String attempts) {
        return def.define(RETRY_MAX_ATTEMPTS, Type.INT, 10, Range.between(1, 1_000), Importance.LOW, attempts)
                .define(RETRY_BACKOFF_MS, Type.LONG, 200L, Range.between(1, 600_000), Importance.LOW,
                        "First wait between retries; it doubles per attempt, with random jitter of up to half of it.")
                .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 10_000L, Range.between(1, 3_600_000), Importance.LOW,
                        "Longest wait between two retries; not less than " + RETRY_BACKOFF_MS + ".");
    }

    /** {@code batch.max.bytes} and {@code batch.linger.ms}, with this sink's defaults and meaning. */
    public static ConfigDef defineBatching(ConfigDef def, long maxBytes, String maxBytesDoc, long lingerMs,
            String lingerDoc) {
        return def.define(BATCH_MAX_BYTES, Type.LONG, maxBytes, Range.atLeast(1024), Importance.MEDIUM, maxBytesDoc)
                .define(BATCH_LINGER_MS, Type.LONG, lingerMs, Range.between(0, 600_000), Importance.MEDIUM, lingerDoc);
    }

    /** {@code toast.placeholder}; {@code kept} says what the sink keeps for a column that carries it. */
    public static ConfigDef defineToastPlaceholder(ConfigDef def, String kept) {
        return def.define(TOAST_PLACEHOLDER, Type.STRING, "__debezium_unavailable_value",
                new ConfigDef.NonEmptyString(), Importance.LOW, "Debezium's unavailable.value.placeholder. A column "
                        + "carrying it was not changed (unchanged TOAST); " + kept);
    }

    /** The retry settings as a group of a sink's config shows them (see ConfigGroups). */
    public static List<ConfigGroups.Setting> retrySettings() {
        return List.of(ConfigGroups.setting(RETRY_MAX_ATTEMPTS, "Retry attempts"),
                ConfigGroups.setting(RETRY_BACKOFF_MS, "Retry backoff (ms)"),
                ConfigGroups.setting(RETRY_BACKOFF_MAX_MS, "Longest retry backoff (ms)"));
    }

    /** The checks across settings, run when a sink's config is read. */
    public static void check(AbstractConfig config) {
        if (config.getLong(RETRY_BACKOFF_MAX_MS) < config.getLong(RETRY_BACKOFF_MS)) {
            throw new ConfigException(RETRY_BACKOFF_MAX_MS, config.getLong(RETRY_BACKOFF_MAX_MS),
                    "must not be less than " + RETRY_BACKOFF_MS + " (" + config.getLong(RETRY_BACKOFF_MS) + ")");
        }
    }

    public static RetryBackoff backoff(AbstractConfig config) {
        return new RetryBackoff(config.getInt(RETRY_MAX_ATTEMPTS), config.getLong(RETRY_BACKOFF_MS),
                config.getLong(RETRY_BACKOFF_MAX_MS));
    }
}
