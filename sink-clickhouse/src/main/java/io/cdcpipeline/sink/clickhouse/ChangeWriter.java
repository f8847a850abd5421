package io.cdcpipeline.sink.clickhouse;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.sink.DeadLetters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes a batch of change events: rows as versioned inserts (one JSONEachRow insert per table), deletes as
 * versioned delete markers, truncates as a delete of every row older than the truncate. Nothing is ever updated in
 * place, so a replayed or redelivered batch cannot make an older version win: ReplacingMergeTree keeps the highest.
 */
final class ChangeWriter {

    private final ClickHouseServer server;
    private final TableManager tables;
    private final DeadLetters deadLetters;
    private final ObjectMapper json = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    ChangeWriter(ClickHouseServer server, ClickHouseSinkConfig config, DeadLetters deadLetters) {
        this.server = server;
        this.tables = new TableManager(server, config);
        this.deadLetters = deadLetters;
    }

    void write(Collection<SinkRecord> records) {
        Map<String, Batch> pending = new LinkedHashMap<>();
        for (SinkRecord record : records) {
            ChangeEvent event;
            try {
                event = ChangeEvent.of(record);
            } catch (DataException e) {
                deadLetters.report(record, e);
                continue;
            }
            if (event.operation() == Operation.TOMBSTONE) {
                continue; // the delete before it already wrote the versioned marker
            }
            if (event.operation() == Operation.TRUNCATE) {
                truncate(event, pending);
                continue;
            }
            if (!event.hasPrimaryKey()) {
                deadLetters.report(record, new DataException(ChangeEvent.describe(record) + ": table " + event.table()
                        + " has no primary key, so its rows cannot be replaced or deleted; add a primary key or set "
                        + "Debezium's message.key.columns for it"));
                continue;
            }
            try {
                TargetTable table = tables.tableFor(event);
                byte[] row = encode(event, table);
                pending.computeIfAbsent(table.qualifiedName(), k -> new Batch()).add(row);
            } catch (DataException e) {
                deadLetters.report(record, new DataException(ChangeEvent.describe(record) + " (" + event.table() + "): "
                        + e.getMessage(), e));
            }
        }
        pending.forEach(this::flush);
    }

    private byte[] encode(ChangeEvent event, TargetTable table) {
        ObjectNode row = json.createObjectNode();
        Struct state = event.isDelete() ? event.key() : event.after();
        Iterable<Field> fields = event.isDelete() ? event.key().schema().fields() : event.columns();
        for (Field field : fields) {
            ColumnType type = table.columns().get(field.name());
            Object value = type.encode(field.schema(), state.get(field));
            row.set(field.name(), json.valueToTree(value));
        }
        row.put(CdcColumns.VERSION, event.changeVersion());
        row.put(CdcColumns.DELETED, event.isDelete() ? 1 : 0);
        if (event.sourceCommitTime() != null) {
            row.put(CdcColumns.SOURCE_TS, server.dialect().formatInstant(event.sourceCommitTime()));
        }
        try {
            return json.writeValueAsBytes(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void truncate(ChangeEvent event, Map<String, Batch> pending) {
        String table = tables.existingTable(event.table());
        if (table == null) {
            return;
        }
        Batch before = pending.remove(table);
        if (before != null) {
            flush(table, before);
        }
        // Version-aware, so a truncate replayed after newer rows arrived removes only what it removed the first time.
        server.execute("ALTER TABLE " + table + " DELETE WHERE " + CdcColumns.VERSION + " < " + event.changeVersion());
    }

    private void flush(String table, Batch batch) {
        server.insertJsonEachRow(table, batch.bytes());
    }

    /** JSONEachRow rows for one table, newline-separated. */
    private static final class Batch {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void add(byte[] row) {
            out.writeBytes(row);
            out.write('\n');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
