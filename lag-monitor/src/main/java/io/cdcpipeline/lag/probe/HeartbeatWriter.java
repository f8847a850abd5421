package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Commits the heartbeat: one row ({@code id = 1}) of the heartbeat table updated with the commit's time in
 * milliseconds. It flows through Debezium and the sinks like any change, so the newest heartbeat a sink shows says
 * up to when that copy is complete, even for tables nobody writes to. The table must be captured (in Debezium's
 * {@code table.include.list} and the publication); {@link #check} says so when it is not.
 */
public final class HeartbeatWriter implements AutoCloseable {

    private final MonitorConfig.Postgres postgres;
    private final MonitorConfig.Heartbeat heartbeat;
    private final Clock clock;
    private Connection connection;
    private volatile Instant lastWritten;

    public HeartbeatWriter(MonitorConfig.Postgres postgres, MonitorConfig.Heartbeat heartbeat, Clock clock) {
        this.postgres = postgres;
        this.heartbeat = heartbeat;
        this.clock = clock;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
            connection.setAutoCommit(true);
        }
        return connection;
    }

    /** Creates the heartbeat table if it does not exist (a primary key, so sinks can replace its row). */
    public void createTable() throws SQLException {
        try (Statement st = connection().createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + heartbeat.table()
                    + " (id integer PRIMARY KEY, beat_ms bigint NOT NULL, beat_at timestamptz NOT NULL)");
        }
    }

    /**
     * What is wrong with the capture of the heartbeat table, or null: it must be in the publication of the watched
     * slot, else no heartbeat ever reaches a sink and every copy would look stale.
     */
    public String check() throws SQLException {
        if (postgres.slot() == null) {
            return null;
        }
        // A connection of its own: checks run on another thread than the heartbeats.
        try (Connection own = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             PreparedStatement st = own.prepareStatement("""
                SELECT count(*) FROM pg_publication_tables
                WHERE schemaname = ? AND tablename = ?""")) {
            st.setString(1, heartbeat.schema());
            st.setString(2, heartbeat.name());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0 ? null : "the heartbeat table " + heartbeat.table() + " is in no publication: "
                        + "add it to Debezium's table.include.list (the publication follows with "
                        + "publication.autocreate.mode=filtered), or no sink will ever show a heartbeat";
            }
        }
    }

    /** Commits one heartbeat and returns its time. */
    public Instant beat() throws SQLException {
        Instant now = clock.instant();
        try (PreparedStatement st = connection().prepareStatement("INSERT INTO " + heartbeat.table()
                + " (id, beat_ms, beat_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET beat_ms = excluded.beat_ms,"
                + " beat_at = excluded.beat_at")) {
            st.setLong(1, now.toEpochMilli());
            st.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            st.executeUpdate();
        } catch (SQLException e) {
            close();
            throw e;
        }
        lastWritten = now;
        return now;
    }

    /** The newest heartbeat committed by this writer, or null before the first. */
    public Instant lastWritten() {
        return lastWritten;
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a broken connection: the next beat opens a new one
        }
        connection = null;
    }
}
