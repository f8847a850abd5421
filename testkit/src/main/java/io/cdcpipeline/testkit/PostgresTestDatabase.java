package io.cdcpipeline.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of its own for one test on the stack's PostgreSQL server. Closing it drops the replication slots
 * made in it (a forgotten slot would keep WAL forever) and then the database.
 */
public final class PostgresTestDatabase implements AutoCloseable {

    private final StackEndpoints stack;
    private final String name;

    private PostgresTestDatabase(StackEndpoints stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    public static PostgresTestDatabase create(StackEndpoints stack) {
        String name = TestNames.unique("it");
        try (Connection admin = adminConnection(stack); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + ": " + e.getMessage(), e);
        }
        return new PostgresTestDatabase(stack, name);
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return stack.jdbcUrl(name);
    }

    public String user() {
        return stack.pgUser();
    }

    /** A new connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), stack.pgUser(), "");
    }

    @Override
    public void close() throws SQLException {
        try (Connection admin = adminConnection(stack)) {
            try (PreparedStatement terminate = admin.prepareStatement(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = ? AND active")) {
                terminate.setString(1, name);
                terminate.execute();
            }
            try (PreparedStatement drop = admin.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = ?")) {
                drop.setString(1, name);
                drop.execute();
            }
            try (Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    private static Connection adminConnection(StackEndpoints stack) throws SQLException {
        return DriverManager.getConnection(stack.jdbcUrl("postgres"), stack.pgUser(), "");
    }

    @Override
    public String toString() {
        return "postgres database " + name;
    }
}
