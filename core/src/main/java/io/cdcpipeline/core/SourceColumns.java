package io.cdcpipeline.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * The source columns a target was last written with (names and Connect types, in order) and the version of the
 * change that brought them, kept in the target itself: a restarted sink then tells a renamed column from a new one
 * ({@link ColumnRenames}) as the running sink does. Only a change newer than the recorded one may be compared with
 * it: a record delivered again after a restart can carry an older schema, and read against a newer one it would look
 * like a rename back. A read of an incremental snapshot (version 0, no position) is neither: nothing is told from it.
 */
public record SourceColumns(long version, List<Field> columns) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static SourceColumns of(ChangeEvent event) {
        return new SourceColumns(event.changeVersion(), event.columns());
    }

    /** The columns to tell renames from for {@code event}: these if the event is newer, else none. */
    public List<Field> before(ChangeEvent event) {
        return isNewer(event) ? columns : List.of();
    }

    /**
     * For a record older than these columns (delivered again after a restart): its non-key columns renamed since,
     * old name to new, so that its values go where the table holds them now. Empty for a newer record.
     */
    public Map<String, String> renamedSince(ChangeEvent event, List<String> keyColumns) {
        if (!isOlder(event)) {
            return Map.of();
        }
        Map<String, String> forward = new LinkedHashMap<>();
        ColumnRenames.between(event.columns(), columns).forEach((newName, oldName) -> {
            if (!keyColumns.contains(oldName)) {
                forward.put(oldName, newName);
            }
        });
        return forward;
    }

    /** Whether {@code event} brings other columns, and is newer: then it is what the target should record. */
    public boolean replacedBy(ChangeEvent event) {
        return isNewer(event) && !text(columns).equals(text(event.columns()));
    }

    private boolean isNewer(ChangeEvent event) {
        return Long.compareUnsigned(event.changeVersion(), version) > 0;
    }

    /** Older than these columns, or as old; never a read of an incremental snapshot (version 0, no position). */
    private boolean isOlder(ChangeEvent event) {
        return event.changeVersion() != 0 && !isNewer(event);
    }

    /** As JSON text, to keep in the target. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", Long.toUnsignedString(version));
        root.set("columns", JSON.valueToTree(describe(columns)));
        return root.toString();
    }

    /** Read back from {@link #toJson()}; null for empty or unreadable text (a target written before this existed). */
    public static SourceColumns parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(json);
            List<Field> fields = new ArrayList<>();
            for (JsonNode column : (ArrayNode) root.get("columns")) {
                SchemaBuilder schema = SchemaBuilder.type(Schema.Type.valueOf(column.get("type").asText())).optional();
                if (column.hasNonNull("logical")) {
                    schema.name(column.get("logical").asText());
                }
                if (column.hasNonNull("default")) {
                    schema.defaultValue(defaultValue(schema.type(), column.get("default")));
                }
                if (column.hasNonNull("parameters")) {
                    Map<String, String> parameters = new LinkedHashMap<>();
                    column.get("parameters").properties().forEach(e -> parameters.put(e.getKey(), e.getValue().asText()));
                    schema.parameters(parameters);
                }
                fields.add(new Field(column.get("name").asText(), fields.size(), schema.build()));
            }
            return new SourceColumns(Long.parseUnsignedLong(root.get("version").asText()), fields);
        } catch (Exception e) {
            return null;
        }
    }

    private static Object defaultValue(Schema.Type type, JsonNode value) {
        return switch (type) {
            case INT8 -> (byte) value.asInt();
            case INT16 -> (short) value.asInt();
            case INT32 -> value.asInt();
            case INT64 -> value.asLong();
            case FLOAT32 -> (float) value.asDouble();
            case FLOAT64 -> value.asDouble();
            case BOOLEAN -> value.asBoolean();
            default -> value.asText();
        };
    }

    /**
     * For a record older than these columns: the columns added since with a default, by name, with it (Postgres's
     * rows of before read that default). Empty for a newer record.
     */
    public Map<String, Field> addedSince(ChangeEvent event, Map<String, String> renamedSince) {
        Map<String, Field> added = new LinkedHashMap<>();
        if (!isOlder(event)) {
            return added;
        }
        Set<String> has = new HashSet<>();
        event.columns().forEach(f -> has.add(renamedSince.getOrDefault(f.name(), f.name())));
        for (Field column : columns) {
            if (!has.contains(column.name()) && column.schema().defaultValue() != null) {
                added.put(column.name(), column);
            }
        }
        return added;
    }

    private static List<Map<String, Object>> describe(List<Field> fields) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Field field : fields) {
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("name", field.name());
            column.put("type", field.schema().type().name());
            if (field.schema().name() != null) {
                column.put("logical", field.schema().name());
            }
            if (field.schema().parameters() != null && !field.schema().parameters().isEmpty()) {
                column.put("parameters", field.schema().parameters());
            }
            Object defaultValue = field.schema().defaultValue();
            if (defaultValue instanceof Number || defaultValue instanceof Boolean || defaultValue instanceof String) {
                column.put("default", defaultValue);
            }
            out.add(column);
        }
        return out;
    }

    private static String text(List<Field> fields) {
        return describe(fields).toString();
    }
}
