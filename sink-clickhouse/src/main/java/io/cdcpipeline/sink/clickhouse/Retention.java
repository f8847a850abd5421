package io.cdcpipeline.sink.clickhouse;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * How long rows are kept: an interval such as {@code 90 DAY}, which becomes a table's {@code TTL} on ClickHouse
 * 19.6 and later, counted from each row's commit time in Postgres ({@code _cdc_source_ts}).
 */
final class Retention {

    private static final Pattern INTERVAL = Pattern.compile(
            "\\s*([1-9][0-9]{0,5})\\s+(SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)S?\\s*", Pattern.CASE_INSENSITIVE);

    private Retention() {
    }

    /** Empty for none, else the interval in ClickHouse's spelling ({@code 90 DAY}). */
    static String interval(String key, String value) {
        if (value == null || value.isBlank()) {
            return "";
        }
        Matcher matcher = INTERVAL.matcher(value);
        if (!matcher.matches()) {
            throw new ConfigException(key, value, "must be empty (keep rows forever) or a count and a unit, such as "
                    + "'90 DAY' or '12 MONTH' (units: SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR)");
        }
        return matcher.group(1) + " " + matcher.group(2).toUpperCase(Locale.ROOT);
    }

    /** The {@code TTL} clause of a table keeping rows for {@code interval} after their commit time. */
    static String ttlClause(String interval) {
        return "TTL toDateTime(" + CdcColumns.SOURCE_TS + ") + INTERVAL " + interval;
    }

    static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                interval(name, (String) value);
            }

            @Override
            public String toString() {
                return "empty, or a count and a unit: '90 DAY', '12 MONTH'";
            }
        };
    }
}
