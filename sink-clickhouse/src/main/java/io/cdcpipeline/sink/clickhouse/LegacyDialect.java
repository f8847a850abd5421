package io.cdcpipeline.sink.clickhouse;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.connect.errors.DataException;

/**
 * ClickHouse before 23.x (the 18.16 that Debian ships): no {@code DateTime64}, so timestamps are {@code DateTime}
 * in whole seconds, and no is_deleted argument to {@code ReplacingMergeTree}, so the current-state view filters the
 * deleted flag itself. {@code DateTime} holds 1970-01-01 00:00:00 to 2105: a value outside is refused with a clear
 * reason rather than silently wrapped.
 */
final class LegacyDialect implements ClickHouseDialect {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final LocalDateTime MIN = LocalDateTime.of(1970, 1, 1, 0, 0);
    private static final LocalDateTime MAX = LocalDateTime.of(2105, 12, 31, 23, 59, 59);

    @Override
    public String dateTimeType() {
        return "DateTime('UTC')";
    }

    @Override
    public String engine(String versionColumn, String deletedColumn) {
        return "ReplacingMergeTree(" + versionColumn + ")";
    }

    @Override
    public String formatDateTime(LocalDateTime utc) {
        if (utc.isBefore(MIN) || utc.isAfter(MAX)) {
            throw new DataException("timestamp " + utc + " is outside the range of DateTime on ClickHouse before 23.x "
                    + "(1970-01-01 to 2105-12-31)");
        }
        return utc.format(SECONDS);
    }

    @Override
    public String nowExpression() {
        return "now()";
    }

    @Override
    public String dateType() {
        return "Date";
    }

    @Override
    public String formatDate(LocalDate date) {
        if (date.getYear() < 1970 || date.getYear() > 2105) {
            throw new DataException("date " + date + " is outside the range of Date on ClickHouse before 23.x "
                    + "(1970-01-01 to 2105-12-31)");
        }
        return date.toString();
    }
}
