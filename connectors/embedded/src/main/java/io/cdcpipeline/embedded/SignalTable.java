package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.config.ConfigException;

/**
 * Debezium's signal table (the source's {@code signal.data.collection}): how the commands ask the running connector
 * for an incremental snapshot of a table, whole or restricted by a filter. Works alike for the embedded runner and
 * a Connect deployment, as both read the same table.
 */
final class SignalTable {

    /** What the {@code data} column holds at most in the documented table definition. */
    static final int DATA_LIMIT = 2048;

    private final String name;

    private SignalTable(String name) {
        this.name = name;
    }

    /** The source's signal table; a ConfigException says how to set one up for {@code purpose}. */
    static SignalTable of(Map<String, String> source, String purpose) {
        String table = source.get("signal.data.collection");
        if (table == null || table.isBlank()) {
            throw new ConfigException(PipelineFile.SOURCE_PREFIX + "signal.data.collection", null, "is needed for "
                    + purpose + ": name a signal table (CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, "
                    + "type varchar(32) NOT NULL, data varchar(2048))) and add it to source.table.include.list");
        }
        return new SignalTable(table);
    }

    /** Asks for an incremental snapshot of {@code table}: all rows, or those {@code filter} (SQL) selects. */
    String executeSnapshot(Connection db, TableId table, String filter, String idPrefix) throws SQLException {
        String collection = table.schema() + "." + table.table();
        String data = "{\"data-collections\": [\"" + json(collection) + "\"], \"type\": \"incremental\""
                + (filter == null ? "" : ", \"additional-conditions\": [{\"data-collection\": \"" + json(collection)
                        + "\", \"filter\": \"" + json(filter) + "\"}]") + "}";
        String id = idPrefix + "-" + UUID.randomUUID();
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + name
                + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
            insert.setString(1, id);
            insert.setString(2, data);
            insert.executeUpdate();
        }
        return id;
    }

    String name() {
        return name;
    }

    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
