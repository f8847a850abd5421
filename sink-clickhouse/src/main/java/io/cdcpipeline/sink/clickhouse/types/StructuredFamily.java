package io.cdcpipeline.sink.clickhouse.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Structs and maps (hstore in map mode, and whatever else arrives structured): their
 * JSON text in a {@code String}, readable with ClickHouse's {@code JSONExtract*} functions.
 */
final class StructuredFamily implements TypeFamily {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (schema.type() != Schema.Type.STRUCT && schema.type() != Schema.Type.MAP) {
            return null;
        }
        return ClickHouseType.of("String", new ColumnCodec.LengthPrefixed() {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                try {
                    out.writeString(JSON.writeValueAsString(plain(value)));
                } catch (JsonProcessingException e) {
                    throw new DataException("cannot write a " + schema.type() + " value as JSON: " + e.getMessage(), e);
                }
            }
        });
    }

    private static Object plain(Object value) {
        if (value instanceof Struct struct) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Field field : struct.schema().fields()) {
                fields.put(field.name(), plain(struct.getWithoutDefault(field.name())));
            }
            return fields;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> entries = new LinkedHashMap<>();
            map.forEach((k, v) -> entries.put(String.valueOf(k), plain(v)));
            return entries;
        }
        if (value instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            list.forEach(item -> items.add(plain(item)));
            return items;
        }
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        return value;
    }
}
