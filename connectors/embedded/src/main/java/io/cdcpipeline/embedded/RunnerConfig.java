package io.cdcpipeline.embedded;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The embedded runner's own settings: the keys of a pipeline file that are neither {@code source.*} (Debezium's
 * connector) nor {@code sink.<name>.*} (a sink connector).
 */
public final class RunnerConfig extends AbstractConfig {

    public static final String NAME = "name";
    public static final String SINKS = "sinks";
    public static final String OFFSET_FILE = "offset.storage.file";
    public static final String OFFSET_FLUSH_INTERVAL_MS = "offset.flush.interval.ms";
    public static final String PROGRESS_INTERVAL_MS = "progress.interval.ms";
    public static final String DEAD_LETTER_DIR = "dead.letter.dir";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String RETRY_TIMEOUT_MS = "retry.timeout.ms";
    public static final String JMX_PORT = "metrics.jmx.port";
    public static final String JMX_HOST = "metrics.jmx.host";
    public static final String NEW_TABLES_CHECK_MS = "new.tables.check.ms";
    public static final String SINK_BUFFER_MAX_BYTES = "buffer.max.bytes";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(NAME, Type.STRING, "cdc-pipeline", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Name of the pipeline, used in logs and as the Debezium engine name.")
            .define(SINKS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new NonEmptyList(), Importance.HIGH,
                    "Names of the sinks to feed, e.g. clickhouse,elasticsearch. Each needs sink.<name>.connector.class "
                            + "and that connector's own settings under sink.<name>.")
            .define(OFFSET_FILE, Type.STRING, ".work/offsets/cdc-pipeline.offsets", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "File where the source position (LSN) is stored after every sink has the changes "
                            + "before it; every save is atomic (temporary file, fsync, rename). Without it, while the "
                            + "replication slot exists, the runner refuses to start: take a new snapshot with "
                            + "--resnapshot (the sinks then remove rows deleted meanwhile).")
            .define(OFFSET_FLUSH_INTERVAL_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How often the source position is written to the offset file. A crash redelivers at most this "
                            + "much; sinks are idempotent, so redelivery is harmless.")
            .define(PROGRESS_INTERVAL_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    "How often progress (events, events/s, source lag) is logged.")
            .define(DEAD_LETTER_DIR, Type.STRING, ".work/dead-letters", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Folder of the dead-letter files, one JSON-lines file per sink: each record a sink refused, with "
                            + "the reason.")
            .define(RETRY_BACKOFF_MS, Type.LONG, 1_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Wait before a sink retries a batch it could not write for a passing reason (server down, 429).")
            .define(RETRY_TIMEOUT_MS, Type.LONG, 600_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long a sink keeps retrying one batch before the runner stops with an error.")
            .define(SINK_BUFFER_MAX_BYTES, Type.LONG, 64L << 20, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Changes each sink may hold in the runner, waiting to be written (their estimated size on the heap), "
                            + "so that one sink being slow or down does not hold the others back: each sink writes "
                            + "from its own buffer, the source position advances to what every sink holds, and only "
                            + "when a sink's buffer is full does the source pause. For full isolation, run one runner "
                            + "per sink (each with its own replication slot).")
            .define(JMX_PORT, Type.INT, 0, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
                    "Port on which the runner serves its metrics (the sinks' per-table watermarks and pending changes, "
                            + "Debezium's) over remote JMX, as a Connect worker does with JMX_PORT; the lag monitor "
                            + "reads them there. 0: not served (they stay on the local MBean server).")
            .define(JMX_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Address the JMX port listens on. JMX here has no authentication: keep it on loopback, or on a "
                            + "network only the monitor and operators reach.")
            .define(NEW_TABLES_CHECK_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How often the runner looks in the source's catalog for tables that source.table.include.list "
                            + "captures but the publication lacks (created after the start, or while the runner was "
                            + "stopped): each is added to the publication and its existing rows are snapshotted "
                            + "incrementally through source.signal.data.collection. 0: never (new tables then need "
                            + "a restart and a snapshot by hand).");

    public RunnerConfig(Map<String, String> props) {
        super(CONFIG_DEF, props, false);
    }

    public String name() {
        return getString(NAME);
    }

    public List<String> sinks() {
        return getList(SINKS);
    }

    public Path offsetFile() {
        return Path.of(getString(OFFSET_FILE));
    }

    public long offsetFlushIntervalMs() {
        return getLong(OFFSET_FLUSH_INTERVAL_MS);
    }

    public long progressIntervalMs() {
        return getLong(PROGRESS_INTERVAL_MS);
    }

    public Path deadLetterDir() {
        return Path.of(getString(DEAD_LETTER_DIR));
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
    }

    public int jmxPort() {
        return getInt(JMX_PORT);
    }

    public String jmxHost() {
        return getString(JMX_HOST);
    }

    public long newTablesCheckMs() {
        return getLong(NEW_TABLES_CHECK_MS);
    }

    public long retryTimeoutMs() {
        return getLong(RETRY_TIMEOUT_MS);
    }

    public long sinkBufferMaxBytes() {
        return getLong(SINK_BUFFER_MAX_BYTES);
    }

    static final class NonEmptyList implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || ((List<?>) value).isEmpty()) {
                throw new ConfigException(name, value, "needs at least one sink name");
            }
        }

        @Override
        public String toString() {
            return "non-empty list";
        }
    }
}
