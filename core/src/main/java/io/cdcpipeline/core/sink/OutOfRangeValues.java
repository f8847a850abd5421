package io.cdcpipeline.core.sink;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;

/**
 * What a sink does with a value its target type cannot hold (a 1900 date in ClickHouse {@code Date}, a pre-1970
 * timestamp in Elasticsearch {@code date_nanos}, {@code Infinity} in an Elasticsearch {@code float}): by default the
 * row is kept and the nearest value the target holds is stored, counted per target and column and logged once per
 * column with the key of the first row; with {@code strict} the record goes to the dead-letter path instead, as a
 * value the sink refuses.
 */
public final class OutOfRangeValues {

    public static final String CONFIG = "value.out.of.range";

    public enum Policy {
        /** Keep the row: store the nearest value the target holds (NULL where a column has no nearest value). */
        CLAMP,
        /** Dead-letter the record, naming the column, the value and what the target holds. */
        STRICT;

        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Defines {@value #CONFIG}; {@code typesHeld} says, for the docs, which values of which types are concerned. */
    public static ConfigDef define(ConfigDef def, String typesHeld) {
        return def.define(CONFIG, Type.STRING, Policy.CLAMP.configValue(),
                ValidString.in(Policy.CLAMP.configValue(), Policy.STRICT.configValue()), Importance.MEDIUM,
                "What happens to a value the target type cannot hold (" + typesHeld + "). 'clamp' keeps the row and "
                        + "stores the nearest value the type holds, counts it in the metric "
                        + "<target>-values-clamped-total per column and logs the first one per column with its key; "
                        + "'strict' sends the record to the dead-letter queue with the column and value named.");
    }

    public static Policy policy(AbstractConfig config) {
        return Policy.valueOf(config.getString(CONFIG).trim().toUpperCase(Locale.ROOT));
    }

    private final Policy policy;
    private final SinkMetrics metrics;
    private final Logger log;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    public OutOfRangeValues(Policy policy, SinkMetrics metrics, Logger log) {
        this.policy = policy;
        this.metrics = metrics;
        this.log = log;
    }

    public Policy policy() {
        return policy;
    }

    /**
     * A value of {@code column} could not be held by the target and {@code stored} is the nearest it holds. Under
     * {@code clamp} this counts and, the first time for the column, logs it; under {@code strict} it throws.
     *
     * @param target what the metrics call the table or index
     * @param held   what the target type holds, for messages (e.g. "ClickHouse Date: 1970-01-01 to 2149-06-06")
     * @param key    the row's key, for the log line
     * @throws DataException under {@code strict}, naming the column, the value and what the type holds
     */
    public void met(String target, String column, Object value, Object stored, String held, Supplier<String> key) {
        if (policy == Policy.STRICT) {
            throw new DataException("column " + column + ": " + describe(value) + " is outside what " + held + " holds; set "
                    + CONFIG + "=clamp to store the nearest value (" + stored + ") instead");
        }
        metrics.clamped(target, column);
        if (logged.add(target + '\u0000' + column)) {
            log.warn("{}, column {}: {} is outside what {} holds; stored {} instead (key {}). Further such values of "
                    + "this column are counted in {}-values-clamped-total, not logged.", target, column, describe(value), held,
                    stored, key.get(), metrics.targetTag());
        }
    }

    /**
     * Postgres' infinity arrives as the ends of time: {@link Instant#MAX} from its text (see
     * {@link io.cdcpipeline.core.types.LogicalValues}), or as the Postgres JDBC driver's infinity constants
     * (9223372036825200000 and -9223372036832400000), which Debezium sends as micro- or milliseconds.
     */
    private static final long PG_INFINITY = 9223372036825200000L;
    private static final long PG_MINUS_INFINITY = -9223372036832400000L;
    private static final List<Object> INFINITY = List.of(Instant.MAX, Double.POSITIVE_INFINITY, Float.POSITIVE_INFINITY,
            local(PG_INFINITY, 1_000_000), local(PG_INFINITY, 1_000));
    private static final List<Object> MINUS_INFINITY = List.of(Instant.MIN, Double.NEGATIVE_INFINITY,
            Float.NEGATIVE_INFINITY, local(PG_MINUS_INFINITY, 1_000_000), local(PG_MINUS_INFINITY, 1_000));

    private static LocalDateTime local(long ticks, long perSecond) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(ticks, perSecond),
                (int) (Math.floorMod(ticks, perSecond) * (1_000_000_000L / perSecond)), ZoneOffset.UTC);
    }

    private static String describe(Object value) {
        Object asLocal = value instanceof Instant instant && !INFINITY.contains(value) && !MINUS_INFINITY.contains(value)
                ? LocalDateTime.ofInstant(instant, ZoneOffset.UTC) : value;
        if (INFINITY.contains(asLocal)) {
            return "infinity";
        }
        return MINUS_INFINITY.contains(asLocal) ? "-infinity" : String.valueOf(value);
    }
}
