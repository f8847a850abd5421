package io.cdcpipeline.sink.clickhouse.dialect;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * ClickHouse 23.x and later: {@code DateTime64} at the source's precision and {@code Date32} cover 1900 to 2299,
 * {@code ReplacingMergeTree(version, is_deleted)} lets merges and {@code FINAL} drop deleted rows themselves, and
 * sorting keys may be Nullable when the table allows it.
 */
public final class ModernDialect implements ClickHouseDialect {

    private static final DateSpec DATE32 = new DateSpec("Date32", true, LocalDate.of(1900, 1, 1),
            LocalDate.of(2299, 12, 31));
    private static final LocalDateTime MIN = LocalDateTime.of(1900, 1, 1, 0, 0);
    private static final LocalDateTime MAX = LocalDateTime.of(2299, 12, 31, 23, 59, 59, 999_999_999);

    @Override
    public String description() {
        return "modern (23.x and later)";
    }

    @Override
    public String engine(String versionColumn, String deletedColumn) {
        return "ReplacingMergeTree(" + versionColumn + ", " + deletedColumn + ")";
    }

    @Override
    public String booleanType() {
        return "Bool";
    }

    @Override
    public String repeatedStringType() {
        return "LowCardinality(String)";
    }

    @Override
    public DateSpec date() {
        return DATE32;
    }

    @Override
    public DateTimeSpec dateTime(int precision) {
        int digits = Math.max(0, Math.min(9, precision));
        return new DateTimeSpec("DateTime64(" + digits + ", 'UTC')", digits, MIN, MAX);
    }

    @Override
    public boolean renamesColumns() {
        return true;
    }

    @Override
    public boolean allowsNullableKey() {
        return true;
    }

    @Override
    public String nullableKeySetting() {
        return "allow_nullable_key = 1";
    }

    @Override
    public List<String> replaceView(String view, String select) {
        return List.of("CREATE OR REPLACE VIEW " + view + " AS " + select);
    }

    @Override
    public String waitForMutation() {
        return " SETTINGS mutations_sync = 2";
    }

    @Override
    public String nowExpression() {
        return "now64(3)";
    }

    @Override
    public boolean supportsTtl() {
        return true;
    }

    @Override
    public boolean hasParameterizedViews() {
        return true;
    }

    @Override
    public boolean commentsReplicatedColumns() {
        return true;
    }
}
