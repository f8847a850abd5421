package io.cdcpipeline.sink.clickhouse;

import java.time.Instant;
import java.time.LocalDateTime;

/**
 * What differs between the ClickHouse versions we write to. Chosen once per connection from
 * {@code SELECT version()}: {@link ModernDialect} for 23.x and later, {@link LegacyDialect} for older servers.
 */
interface ClickHouseDialect {

    /** Column type for a timestamp with microseconds, in UTC. */
    String dateTimeType();

    /** Column type for a calendar date. */
    String dateType();

    /** A date as the JSONEachRow input of {@link #dateType()} reads it; refuses dates the type cannot hold. */
    String formatDate(java.time.LocalDate date);

    /** The table engine clause, given the version and deleted-flag column names. */
    String engine(String versionColumn, String deletedColumn);

    /** A UTC timestamp as the JSONEachRow input of {@link #dateTimeType()} reads it. */
    String formatDateTime(LocalDateTime utc);

    default String formatInstant(Instant instant) {
        return formatDateTime(LocalDateTime.ofInstant(instant, java.time.ZoneOffset.UTC));
    }

    /** The default expression that stamps when a row was written. */
    String nowExpression();

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
