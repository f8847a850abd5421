package io.cdcpipeline.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Real Debezium 3.6 Postgres records, captured from a run against PostgreSQL 15 by
 * {@code connectors/embedded/src/test/.../DebeziumRecordCapture} and stored as Connect JSON with schemas. In
 * capture order: snapshot reads of customers 1 and order_items (100,1); two updates of customer 1 in one
 * transaction; insert of customer 2; its delete and tombstone; an update of order_items (100,1); an insert into
 * audit_log (no primary key); a truncate of order_items.
 */
public final class CapturedDebeziumRecords {

    public static final String RESOURCE = "/debezium/postgres-records.jsonl";

    private CapturedDebeziumRecords() {
    }

    public static List<SinkRecord> load() throws IOException {
        return load(true);
    }

    /**
     * The same records as a worker with {@code schemas.enable=false} hands them over: keys and values as maps,
     * no schemas.
     */
    public static List<SinkRecord> loadSchemaless() throws IOException {
        return load(false);
    }

    private static List<SinkRecord> load(boolean withSchemas) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonConverter keys = converter(true, withSchemas);
        JsonConverter values = converter(false, withSchemas);
        List<SinkRecord> records = new ArrayList<>();
        try (InputStream in = CapturedDebeziumRecords.class.getResourceAsStream(RESOURCE)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            long offset = 0;
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = mapper.readTree(line);
                String topic = node.get("topic").asText();
                SchemaAndValue key = keys.toConnectData(topic, bytes(mapper, part(node.get("key"), withSchemas)));
                SchemaAndValue value = values.toConnectData(topic, bytes(mapper, part(node.get("value"), withSchemas)));
                records.add(new SinkRecord(topic, 0, key.schema(), key.value(), value.schema(), value.value(), offset++));
            }
        }
        return records;
    }

    private static JsonNode part(JsonNode node, boolean withSchema) {
        return withSchema || node == null || node.isNull() ? node : node.get("payload");
    }

    private static byte[] bytes(ObjectMapper mapper, JsonNode node) throws IOException {
        return node == null || node.isNull() ? null : mapper.writeValueAsBytes(node);
    }

    private static JsonConverter converter(boolean isKey, boolean withSchemas) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", Boolean.toString(withSchemas), "replace.null.with.default", "false"),
                isKey);
        return converter;
    }
}
