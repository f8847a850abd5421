package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.types.LogicalValues;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;

/**
 * The ClickHouse column type for one Connect field, and how its values are written in JSONEachRow. A first mapping
 * that covers Debezium's default Postgres types; nullable exactly where the source column is.
 *
 * @param sql     the column type as DDL spells it
 * @param encoder turns the Java value of the field ({@link LogicalValues}) into what JSONEachRow expects
 */
record ColumnType(String sql, Function<Object, Object> encoder) {

    private static final int MAX_DECIMAL_PRECISION = 38;

    static ColumnType of(Schema schema, ClickHouseDialect dialect, boolean keyColumn) {
        ColumnType base = base(schema, dialect);
        // Arrays cannot be Nullable in ClickHouse; key columns are NOT NULL in Postgres anyway.
        if (schema.isOptional() && !keyColumn && schema.type() != Schema.Type.ARRAY) {
            return new ColumnType("Nullable(" + base.sql + ")", base.encoder);
        }
        return base;
    }

    /** Encodes a raw Connect value of this column. */
    Object encode(Schema schema, Object connectValue) {
        Object value = LogicalValues.toJava(schema, connectValue);
        return value == null ? null : encoder.apply(value);
    }

    private static ColumnType base(Schema schema, ClickHouseDialect dialect) {
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case Decimal.LOGICAL_NAME:
                    return decimal(schema);
                case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date":
                    return new ColumnType(dialect.dateType(), v -> dialect.formatDate((LocalDate) v));
                case "io.debezium.time.Timestamp", "io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp":
                    return new ColumnType(dialect.dateTimeType(), v -> dialect.formatDateTime((LocalDateTime) v));
                case "io.debezium.time.ZonedTimestamp", "org.apache.kafka.connect.data.Timestamp":
                    return new ColumnType(dialect.dateTimeType(), v -> dialect.formatInstant((Instant) v));
                case "io.debezium.time.Time", "io.debezium.time.MicroTime", "io.debezium.time.NanoTime",
                        "org.apache.kafka.connect.data.Time":
                    return new ColumnType("String", v -> ((LocalTime) v).toString());
                case "io.debezium.data.VariableScaleDecimal":
                    return new ColumnType("String", v -> ((BigDecimal) v).toPlainString());
                default:
                    break; // json, uuid, enums, ...: by their physical type below
            }
        }
        return switch (schema.type()) {
            case INT8 -> new ColumnType("Int8", Function.identity());
            case INT16 -> new ColumnType("Int16", Function.identity());
            case INT32 -> new ColumnType("Int32", Function.identity());
            case INT64 -> new ColumnType("Int64", Function.identity());
            case FLOAT32 -> new ColumnType("Float32", Function.identity());
            case FLOAT64 -> new ColumnType("Float64", Function.identity());
            case BOOLEAN -> new ColumnType("UInt8", v -> ((Boolean) v) ? 1 : 0);
            case STRING -> new ColumnType("String", Function.identity());
            case BYTES -> new ColumnType("String", v -> Base64.getEncoder().encodeToString((byte[]) v));
            case ARRAY -> {
                ColumnType element = base(schema.valueSchema(), dialect);
                yield new ColumnType("Array(" + element.sql + ")", v -> {
                    List<Object> out = new ArrayList<>();
                    for (Object item : (List<?>) v) {
                        out.add(item == null ? null : element.encoder.apply(item));
                    }
                    return out;
                });
            }
            case MAP, STRUCT -> new ColumnType("String", v -> String.valueOf(v));
        };
    }

    private static ColumnType decimal(Schema schema) {
        Map<String, String> params = schema.parameters() == null ? Map.of() : schema.parameters();
        int scale = Integer.parseInt(params.getOrDefault(Decimal.SCALE_FIELD, "0"));
        int precision = Integer.parseInt(params.getOrDefault("connect.decimal.precision",
                Integer.toString(MAX_DECIMAL_PRECISION)));
        if (precision > MAX_DECIMAL_PRECISION) {
            return new ColumnType("String", v -> ((BigDecimal) v).toPlainString());
        }
        return new ColumnType("Decimal(" + precision + ", " + scale + ")", Function.identity());
    }
}
