package io.cdcpipeline.sink.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ClickHouse SQL for a column's value as text, the way every server version writes it: servers before 19.x print the
 * first day and second a {@code Date} and {@code DateTime} hold (1970-01-01, where the sink clamps earlier values) as
 * {@code 0000-00-00} and {@code 0000-00-00 00:00:00}, later ones as the date itself.
 */
final class ValueText {

    private static final Pattern WRAPPED = Pattern.compile("(?:Nullable|LowCardinality)\\((.*)\\)");

    private ValueText() {
    }

    /** {@code toString} of the column; {@code type} is its type as the server reports it. */
    static String of(String column, String type) {
        String base = unwrapped(type);
        if (base.equals("Date")) {
            return "if(toUInt16(" + column + ") = 0, '1970-01-01', toString(" + column + "))";
        }
        if (base.startsWith("DateTime") && !base.startsWith("DateTime64")) {
            return "if(toUInt32(" + column + ") = 0, '1970-01-01 00:00:00', toString(" + column + "))";
        }
        return "toString(" + column + ")";
    }

    /** The type inside Nullable(...) and LowCardinality(...). */
    static String unwrapped(String type) {
        Matcher wrapped = WRAPPED.matcher(type);
        return wrapped.matches() ? unwrapped(wrapped.group(1)) : type;
    }
}
