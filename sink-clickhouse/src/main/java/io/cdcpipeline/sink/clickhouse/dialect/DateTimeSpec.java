package io.cdcpipeline.sink.clickhouse.dialect;

import java.time.LocalDateTime;

/**
 * A ClickHouse timestamp type, in UTC.
 *
 * @param sql       the type as DDL spells it
 * @param precision fractional digits of {@code DateTime64}, or -1 for {@code DateTime} (unsigned 32-bit seconds)
 * @param min       the first instant it holds, as UTC wall time
 * @param max       the last instant it holds, as UTC wall time
 */
public record DateTimeSpec(String sql, int precision, LocalDateTime min, LocalDateTime max) {

    public boolean isDateTime64() {
        return precision >= 0;
    }
}
