package io.cdcpipeline.sink.clickhouse.types;

import io.cdcpipeline.sink.clickhouse.dialect.DateSpec;
import java.time.LocalDate;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

/** date: {@code Date32} on modern servers, {@code Date} on legacy ones; days since 1970 in RowBinary. */
final class DateFamily implements TypeFamily {

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (!"io.debezium.time.Date".equals(schema.name()) && !"org.apache.kafka.connect.data.Date".equals(schema.name())) {
            return null;
        }
        DateSpec spec = context.dialect().date();
        OutOfRange outOfRange = context.outOfRange();
        return ClickHouseType.of(spec.sql(), new ColumnCodec.FixedWidth(spec.wide() ? 4 : 2) {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                LocalDate date = inRange((LocalDate) value, spec, outOfRange);
                if (spec.wide()) {
                    out.writeInt((int) date.toEpochDay());
                } else {
                    out.writeShort((int) date.toEpochDay());
                }
            }

            @Override
            public String literal(Object value) {
                return SqlText.literal(value.toString());
            }
        });
    }

    private static LocalDate inRange(LocalDate date, DateSpec spec, OutOfRange outOfRange) {
        if (!date.isBefore(spec.min()) && !date.isAfter(spec.max())) {
            return date;
        }
        if (outOfRange == OutOfRange.CLAMP) {
            return date.isBefore(spec.min()) ? spec.min() : spec.max();
        }
        throw new DataException("date " + date + " is outside the range of ClickHouse " + spec.sql() + " ("
                + spec.min() + " to " + spec.max() + "); set temporal.out.of.range=clamp to store the nearest date instead");
    }
}
