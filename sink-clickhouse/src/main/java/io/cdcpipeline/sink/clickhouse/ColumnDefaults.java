package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.types.LogicalValues;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.kafka.connect.data.Field;

/**
 * The {@code DEFAULT} of a column the sink adds to an existing table: the source column's constant default, which
 * Debezium carries in the field's schema. Postgres fills it into its existing rows without writing them (so no
 * change is streamed for them); ClickHouse does the same for the rows it already holds, which read the default
 * instead of the type's zero value.
 */
final class ColumnDefaults {

    private ColumnDefaults() {
    }

    /** {@code DEFAULT CAST(... AS type)} for the column, or empty when its default is none or not a plain value. */
    static String clause(Field field, ClickHouseType type) {
        Object raw = field.schema().defaultValue();
        if (raw == null) {
            return "";
        }
        Object value = LogicalValues.converterFor(field.schema()).apply(raw);
        String text;
        if (value instanceof BigDecimal decimal) {
            text = decimal.toPlainString();
        } else if (value instanceof Boolean bool) {
            text = bool ? "1" : "0";
        } else if (value instanceof String || value instanceof Number || value instanceof LocalDate) {
            text = value.toString();
        } else {
            return ""; // times, arrays, structs: no constant ClickHouse reads the same way on every version
        }
        return " DEFAULT CAST(" + SqlText.literal(text) + " AS " + type.sql() + ")";
    }
}
