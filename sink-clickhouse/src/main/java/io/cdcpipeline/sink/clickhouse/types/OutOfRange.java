package io.cdcpipeline.sink.clickhouse.types;

import java.util.Locale;

/** What the sink does with a date or timestamp outside the range of the ClickHouse type of its column. */
public enum OutOfRange {
    /** The record goes to the dead-letter path with the column, value and range named; nothing is changed. */
    DEAD_LETTER,
    /** The value is written as the nearest value the type holds (its first or last instant). */
    CLAMP;

    public String configValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static OutOfRange fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
