package io.cdcpipeline.sink.clickhouse.types;

import io.cdcpipeline.sink.clickhouse.dialect.DateSpec;
import java.time.LocalDate;
import org.apache.kafka.connect.data.Schema;

/** date: {@code Date32} on modern servers, {@code Date} on legacy ones; days since 1970 in RowBinary. */
final class DateFamily implements TypeFamily {

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (!"io.debezium.time.Date".equals(schema.name()) && !"org.apache.kafka.connect.data.Date".equals(schema.name())) {
            return null;
        }
        DateSpec spec = context.dialect().date();
        return ClickHouseType.of(spec.sql(), new ColumnCodec.FixedWidth(spec.wide() ? 4 : 2) {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                // Values come fitted (nearest); a date outside the type would wrap around, so fit again.
                LocalDate date = (LocalDate) nearest(value);
                if (spec.wide()) {
                    out.writeInt((int) date.toEpochDay());
                } else {
                    out.writeShort((int) date.toEpochDay());
                }
            }

            @Override
            public Object nearest(Object value) {
                LocalDate date = (LocalDate) value;
                return date.isBefore(spec.min()) ? spec.min() : date.isAfter(spec.max()) ? spec.max() : date;
            }

            @Override
            public String range() {
                return spec.min() + " to " + spec.max();
            }

            @Override
            public String literal(Object value) {
                return SqlText.literal(value.toString());
            }
        });
    }
}
