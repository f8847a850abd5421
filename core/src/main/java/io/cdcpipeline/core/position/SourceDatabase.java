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
        String url = "jdbc:postgresql://" + source.get("database.hostname") + ":"
                + source.getOrDefault("database.port", "5432") + "/" + source.get("database.dbname");
        Properties props = new Properties();
        props.setProperty("user", source.getOrDefault("database.user", ""));
        props.setProperty("password", source.getOrDefault("database.password", ""));
        String sslMode = source.get("database.sslmode");
        if (sslMode != null && !sslMode.isBlank()) {
            props.setProperty("sslmode", sslMode);
        }
        props.setProperty("ApplicationName", "cdc-pipeline");
        return DriverManager.getConnection(url, props);
    }

    /** The replication slot the connector reads ({@code slot.name}, Debezium's default {@code debezium}). */
    public static String slotName(Map<String, String> source) {
        return source.getOrDefault("slot.name", "debezium");
    }
}
