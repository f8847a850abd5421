package io.cdcpipeline.sink.clickhouse.dialect;

import java.util.List;

/**
 * What differs between the ClickHouse versions we write to. Chosen once per connection from
 * {@code SELECT version()}: {@link ModernDialect} for 23.x and later, {@link LegacyDialect} for older servers
 * (Debian's 18.16).
 */
public interface ClickHouseDialect {

    /** A short description for logs, e.g. "modern (23.x and later)". */
    String description();

    /** The table engine clause, given the version and deleted-flag column names. */
    String engine(String versionColumn, String deletedColumn);

    /** The column type of booleans; both spellings are one byte, 0 or 1, in RowBinary. */
    String booleanType();

    /** The column type of Postgres enums and other short repeated strings. */
    String repeatedStringType();

    /** The calendar-date type and the dates it holds. */
    DateSpec date();

    /** The timestamp type for a source precision of {@code precision} fractional digits, in UTC. */
    DateTimeSpec dateTime(int precision);

    /** Whether sorting-key columns may be {@code Nullable} (with the table setting {@link #nullableKeySetting()}). */
    boolean allowsNullableKey();

    /** Whether {@code ALTER TABLE ... RENAME COLUMN} exists (20.4 and later). */
    boolean renamesColumns();

    String nullableKeySetting();

    /**
     * Statements that (re)create a view so it shows the table's current columns; servers before 23.x expand
     * {@code SELECT *} when the view is created, so a view is re-created after columns are added.
     */
    List<String> replaceView(String view, String select);

    /**
     * What makes a type-changing {@code ALTER} wait until existing parts are converted, so rows inserted next never
     * meet parts of the old type.
     */
    String waitForMutation();

    /** The default expression that stamps when a row was written, matching {@link #dateTime dateTime(3)}. */
    String nowExpression();

    /** Whether tables take a {@code TTL} clause (19.6 and later). */
    boolean supportsTtl();

    /** Whether views take query parameters, {@code {name:Type}} (23.1 and later). */
    boolean hasParameterizedViews();

    /**
     * Whether {@code ALTER ... COMMENT COLUMN} works on replicated tables: 18.16 refuses it {@code ON CLUSTER} and,
     * run on one replica, drops a column of the table instead.
     */
    boolean commentsReplicatedColumns();

    static ClickHouseDialect forVersion(String version) {
        int major;
        try {
            major = Integer.parseInt(version.trim().split("\\.")[0]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read the ClickHouse server version '" + version + "'", e);
        }
        return major >= 23 ? new ModernDialect() : new LegacyDialect();
    }
}
