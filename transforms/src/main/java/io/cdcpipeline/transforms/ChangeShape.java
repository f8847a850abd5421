package io.cdcpipeline.transforms;

import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.RouteHeaders;
import io.cdcpipeline.core.TableId;
import java.util.Map;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * The forms a change record's value comes in, so that every transform accepts all of them: a Debezium envelope or a
 * flattened row (see {@link CdcFields}), each either with a schema ({@link Struct}) or schemaless (a {@link Map}, as
 * Connect's JSON converter gives with {@code schemas.enable=false}); a tombstone; or something else.
 */
public enum ChangeShape {
    ENVELOPE, FLAT, MAP_ENVELOPE, MAP_FLAT, TOMBSTONE, OTHER;

    public static ChangeShape of(Object value) {
        if (value == null) {
            return TOMBSTONE;
        }
        if (value instanceof Struct struct) {
            Schema schema = struct.schema();
            if (schema.field("op") != null && schema.field("source") != null && schema.field("after") != null) {
                return ENVELOPE;
            }
            return schema.field(CdcFields.OPERATION) != null ? FLAT : OTHER;
        }
        if (value instanceof Map<?, ?> map) {
            if (map.containsKey("op") && map.containsKey("source") && map.containsKey("after")) {
                return MAP_ENVELOPE;
            }
            return map.containsKey(CdcFields.OPERATION) ? MAP_FLAT : OTHER;
        }
        return OTHER;
    }

    public boolean isChange() {
        return this == ENVELOPE || this == FLAT || this == MAP_ENVELOPE || this == MAP_FLAT;
    }

    public boolean isEnvelope() {
        return this == ENVELOPE || this == MAP_ENVELOPE;
    }

    /** The operation code (c, u, d, r, t), or null for tombstones and other values. */
    public String operation(Object value) {
        return switch (this) {
            case ENVELOPE -> ((Struct) value).getString("op");
            case FLAT -> ((Struct) value).getString(CdcFields.OPERATION);
            case MAP_ENVELOPE -> (String) ((Map<?, ?>) value).get("op");
            case MAP_FLAT -> (String) ((Map<?, ?>) value).get(CdcFields.OPERATION);
            default -> null;
        };
    }

    /**
     * The table a change belongs to: the target a router set (see {@link RouteHeaders}), else the source table from
     * the value, else from a Debezium topic name; null when none tells.
     */
    public TableId table(ConnectRecord<?> record) {
        TableId routed = RouteHeaders.target(record);
        if (routed != null) {
            return routed;
        }
        Object value = record.value();
        String schema = null;
        String table = null;
        switch (this) {
            case ENVELOPE -> {
                Struct source = ((Struct) value).getStruct("source");
                if (source != null && source.schema().field("schema") != null && source.schema().field("table") != null) {
                    schema = source.getString("schema");
                    table = source.getString("table");
                }
            }
            case FLAT -> {
                Struct struct = (Struct) value;
                if (struct.schema().field(CdcFields.SCHEMA) != null && struct.schema().field(CdcFields.TABLE) != null) {
                    schema = struct.getString(CdcFields.SCHEMA);
                    table = struct.getString(CdcFields.TABLE);
                }
            }
            case MAP_ENVELOPE -> {
                if (((Map<?, ?>) value).get("source") instanceof Map<?, ?> source) {
                    schema = (String) source.get("schema");
                    table = (String) source.get("table");
                }
            }
            case MAP_FLAT -> {
                schema = (String) ((Map<?, ?>) value).get(CdcFields.SCHEMA);
                table = (String) ((Map<?, ?>) value).get(CdcFields.TABLE);
            }
            default -> {
            }
        }
        if (schema != null && table != null) {
            return new TableId(schema, table);
        }
        String[] parts = record.topic().split("\\.");
        return parts.length >= 3 ? new TableId(parts[parts.length - 2], parts[parts.length - 1]) : null;
    }

    /**
     * The row a change leaves behind, to read column values from: the after-image, or for a delete the before-image
     * (flattened records are the row themselves). Null when there is none (truncates, tombstones).
     */
    public Object row(Object value) {
        return switch (this) {
            case ENVELOPE -> {
                Struct struct = (Struct) value;
                Struct after = struct.getStruct("after");
                yield after != null || struct.schema().field("before") == null ? after : struct.getStruct("before");
            }
            case MAP_ENVELOPE -> {
                Map<?, ?> map = (Map<?, ?>) value;
                yield map.get("after") != null ? map.get("after") : map.get("before");
            }
            case FLAT, MAP_FLAT -> value;
            default -> null;
        };
    }

    /** A column's value in a row from {@link #row}; null when the row has no such column. */
    public static Object column(Object row, String name) {
        if (row instanceof Struct struct) {
            return struct.schema().field(name) == null ? null : struct.getWithoutDefault(name);
        }
        return row instanceof Map<?, ?> map ? map.get(name) : null;
    }
}
