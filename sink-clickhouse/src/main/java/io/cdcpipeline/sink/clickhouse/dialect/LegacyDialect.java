package io.cdcpipeline.sink.clickhouse.dialect;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * ClickHouse before 23.x (the 18.16 that Debian ships): no {@code DateTime64}, so timestamps are {@code DateTime}
 * in whole seconds from 1970 to 2105; no is_deleted argument to {@code ReplacingMergeTree}, so the current-state
 * view filters the deleted flag itself; no {@code Bool}, no Nullable sorting keys.
 */
public final class LegacyDialect implements ClickHouseDialect {

    private static final DateSpec DATE = new DateSpec("Date", false, LocalDate.of(1970, 1, 1), LocalDate.of(2105, 12, 31));
    private static final DateTimeSpec DATE_TIME = new DateTimeSpec("DateTime('UTC')", -1,
            LocalDateTime.of(1970, 1, 1, 0, 0), LocalDateTime.of(2105, 12, 31, 23, 59, 59));

    @Override
    public String description() {
        return "legacy (before 23.x)";
    }

    @Override
    public String engine(String versionColumn, String deletedColumn) {
        return "ReplacingMergeTree(" + versionColumn + ")";
    }

    @Override
    public String booleanType() {
        return "UInt8";
    }

    @Override
    public String repeatedStringType() {
        return "String"; // LowCardinality is experimental before 19.x
    }

    @Override
    public DateSpec date() {
        return DATE;
    }

    @Override
    public DateTimeSpec dateTime(int precision) {
        return DATE_TIME;
    }

    @Override
    public boolean renamesColumns() {
        return false;
    }

    @Override
    public boolean allowsNullableKey() {
        return false;
    }

    @Override
    public String nullableKeySetting() {
        return "";
    }

    @Override
    public List<String> replaceView(String view, String select) {
        // No CREATE OR REPLACE VIEW before 19.x: for a moment the view is missing.
        return List.of("DROP TABLE IF EXISTS " + view, "CREATE VIEW " + view + " AS " + select);
    }

    @Override
    public String waitForMutation() {
        return ""; // MODIFY COLUMN rewrites the parts before it returns
    }

    @Override
    public String nowExpression() {
        return "now()";
    }

    @Override
    public boolean supportsTtl() {
        return false;
    }

    @Override
    public boolean hasParameterizedViews() {
        return false;
    }

    @Override
    public boolean commentsReplicatedColumns() {
        return false;
    }
}
