package io.cdcpipeline.core.position;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * A plain JDBC connection to the source database, made from the Debezium connector's own {@code database.*} settings
 * (the caller brings the Postgres JDBC driver).
 */
public final class SourceDatabase {

    private SourceDatabase() {
    }

    public static Connection connect(Map<String, String> source) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", source.getOrDefault("database.user", ""));
        props.setProperty("password", source.getOrDefault("database.password", ""));
        props.setProperty("ApplicationName", "cdc-pipeline");
        return DriverManager.getConnection(url(source), props);
    }

    /** The JDBC URL of the connector's database, with its {@code database.sslmode} if set. */
    public static String url(Map<String, String> source) {
        String url = "jdbc:postgresql://" + source.get("database.hostname") + ":"
                + source.getOrDefault("database.port", "5432") + "/" + source.get("database.dbname");
        String sslMode = source.get("database.sslmode");
        return sslMode == null || sslMode.isBlank() ? url : url + "?sslmode=" + sslMode;
    }

    /** The replication slot the connector reads ({@code slot.name}, Debezium's default {@code debezium}). */
    public static String slotName(Map<String, String> source) {
        return source.getOrDefault("slot.name", "debezium");
    }
}
