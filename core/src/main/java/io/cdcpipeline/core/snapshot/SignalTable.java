package io.cdcpipeline.core.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.core.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Debezium's signal table (the source's {@code signal.data.collection}): how the commands ask the running connector
 * for an incremental snapshot of a table, whole or restricted by a filter. Works alike for the embedded runner and
 * a Connect deployment, as both read the same table. The sinks use it too, to ask for a fresh copy of a table they
 * cannot bring up to date alone ({@link io.cdcpipeline.core.sink.TableResync}).
 */
public final class SignalTable {

    /** What the {@code data} column holds at most in the documented table definition. */
    public static final int DATA_LIMIT = 2048;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;

    /** @param name the table, as Debezium's {@code signal.data.collection} names it ({@code schema.table}) */
    public SignalTable(String name) {
        this.name = name;
    }

    /** Asks for an incremental snapshot of {@code table}: all rows, or those {@code filter} (SQL) selects. */
    public String executeSnapshot(Connection db, TableId table, String filter, String idPrefix) throws SQLException {
        String data = data(table, filter);
        String id = idPrefix + "-" + UUID.randomUUID();
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + name
                + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
            insert.setString(1, id);
            insert.setString(2, data);
            insert.executeUpdate();
        }
        return id;
    }

    public String name() {
        return name;
    }

    /** The signal's {@code data}: Debezium's JSON, written by Jackson (a filter may hold quotes, newlines, ...). */
    static String data(TableId table, String filter) {
        String collection = table.schema() + "." + table.table();
        ObjectNode data = JSON.createObjectNode();
        data.putArray("data-collections").add(collection);
        data.put("type", "incremental");
        if (filter != null) {
            ObjectNode condition = data.putArray("additional-conditions").addObject();
            condition.put("data-collection", collection);
            condition.put("filter", filter);
        }
        return data.toString();
    }
}
