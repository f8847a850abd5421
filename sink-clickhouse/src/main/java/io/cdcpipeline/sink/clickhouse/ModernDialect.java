package io.cdcpipeline.sink.clickhouse;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * ClickHouse 23.x and later: {@code DateTime64(6)} keeps Postgres' microseconds, and
 * {@code ReplacingMergeTree(version, is_deleted)} lets merges and {@code FINAL} drop deleted rows themselves.
 */
final class ModernDialect implements ClickHouseDialect {

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    @Override
    public String dateTimeType() {
        return "DateTime64(6, 'UTC')";
    }

    @Override
    public String engine(String versionColumn, String deletedColumn) {
        return "ReplacingMergeTree(" + versionColumn + ", " + deletedColumn + ")";
    }

    @Override
    public String formatDateTime(LocalDateTime utc) {
        return utc.format(MICROS);
    }

    @Override
    public String dateType() {
        return "Date32";
    }

    @Override
    public String formatDate(java.time.LocalDate date) {
        if (date.getYear() < 1900 || date.getYear() > 2299) {
            throw new org.apache.kafka.connect.errors.DataException("date " + date
                    + " is outside the range of Date32 (1900-01-01 to 2299-12-31)");
        }
        return date.toString();
    }

    @Override
    public String nowExpression() {
        return "now64(3)";
    }
}
