package io.cdcpipeline.sink.elasticsearch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * The Elasticsearch field mapping of a Connect/Debezium field: text with a keyword sub-field for plain strings,
 * keyword for identifiers (uuid, enums, bit strings, ltree paths, ISO intervals), geometries as geo_shape and points
 * as geo_point (WKT values), integers as {@code long} and floats as {@code double} (so that a column
 * Postgres widens still fits), dates and timestamps as {@code date} (timestamps as {@code date_nanos} when
 * {@code timestamp.field.type} asks for it; either way the document keeps every digit of the source), numerics by width; decimals as double for range queries with the exact digits in
 * a keyword sub-field (the document keeps them as text; this server has no scaled_float), flattened for json and
 * hstore, objects for structs, binary for bytes. Arrays map as their elements (every Elasticsearch field takes several values).
 */
final class FieldMappings {

    static final String JSON = "io.debezium.data.Json";
    /**
     * json, jsonb and hstore: one flattened field each, every leaf a keyword queried as {@code column.key.path}, so
     * that rows whose documents differ in shape (a key a number here and an object there, keys with dots) never
     * clash in the mapping nor grow it; leaves longer than a term may be are kept in _source, not indexed.
     */
    private static final Map<String, Object> FLATTENED = Map.of("type", "flattened", "ignore_above", 8191);

    private FieldMappings() {
    }

    /**
     * What the target offers: the field type of micro- and nanosecond timestamps ("date" or "date_nanos"), and
     * whether it has {@code geo_shape} (distributions without the spatial module do not; asked only for a geometry).
     */
    record Choices(String timestampType, BooleanSupplier geoShapes) {
    }

    static Map<String, Object> properties(Iterable<Field> fields, Choices choices) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (Field field : fields) {
            properties.put(field.name(), of(field.schema(), choices));
        }
        return properties;
    }

    static Map<String, Object> of(Schema schema, Choices choices) {
        String timestampType = choices.timestampType();
        String name = schema.name() == null ? "" : schema.name();
        switch (name) {
            case Decimal.LOGICAL_NAME, "io.debezium.data.VariableScaleDecimal":
                return Map.of("type", "double", "fields", Map.of("exact", Map.of("type", "keyword")));
            case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date":
                return Map.of("type", "date", "format", "strict_date");
            case "io.debezium.time.Timestamp", "org.apache.kafka.connect.data.Timestamp":
                return Map.of("type", "date", "format", "strict_date_optional_time");
            case "io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp", "io.debezium.time.ZonedTimestamp":
                return Map.of("type", timestampType, "format", "strict_date_optional_time_nanos");
            case "io.debezium.time.Time", "io.debezium.time.MicroTime", "io.debezium.time.NanoTime",
                    "org.apache.kafka.connect.data.Time", "io.debezium.time.ZonedTime":
                return Map.of("type", "keyword");
            case "io.debezium.data.Uuid", "io.debezium.data.Enum", "io.debezium.data.EnumSet", "io.debezium.data.Bits",
                    "io.debezium.data.Ltree", "io.debezium.time.Interval":
                return Map.of("type", "keyword");
            case "io.debezium.data.geometry.Geometry", "io.debezium.data.geometry.Geography":
                // Without geo_shape: the WKT as a keyword, not indexed when long (a term holds 32 KB at most)
                return choices.geoShapes().getAsBoolean() ? Map.of("type", "geo_shape")
                        : Map.of("type", "keyword", "ignore_above", 8191);
            case "io.debezium.data.geometry.Point":
                return Map.of("type", "geo_point");
            case JSON:
                return FLATTENED;
            default:
                break;
        }
        return switch (schema.type()) {
            // Widest from the start: Postgres widens smallint to integer to bigint, and real to double precision, in
            // place, and Elasticsearch cannot change a field's type; the documents keep the values as sent.
            case INT8, INT16, INT32, INT64 -> Map.of("type", "long");
            case FLOAT32, FLOAT64 -> Map.of("type", "double");
            case BOOLEAN -> Map.of("type", "boolean");
            case STRING -> Map.of("type", "text", "fields", Map.of("keyword", Map.of("type", "keyword", "ignore_above", 256)));
            case BYTES -> Map.of("type", "binary");
            case ARRAY -> of(schema.valueSchema(), choices);
            case STRUCT -> Map.of("type", "object", "properties", properties(schema.fields(), choices));
            case MAP -> FLATTENED;
        };
    }
}
