package io.cdcpipeline.sink.clickhouse.dialect;

import java.time.LocalDate;

/**
 * A ClickHouse date type.
 *
 * @param sql  the type as DDL spells it
 * @param wide {@code Date32} (signed 32-bit days since 1970) rather than {@code Date} (unsigned 16-bit days)
 * @param min  the first date it holds
 * @param max  the last date it holds
 */
public record DateSpec(String sql, boolean wide, LocalDate min, LocalDate max) {
}
