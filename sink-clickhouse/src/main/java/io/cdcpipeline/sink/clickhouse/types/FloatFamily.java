package io.cdcpipeline.sink.clickhouse.types;

import org.apache.kafka.connect.data.Schema;

/** real and double precision (NaN and the infinities included, as ClickHouse floats hold them too). */
final class FloatFamily implements TypeFamily {

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        return switch (schema.type()) {
            case FLOAT32 -> ClickHouseType.of("Float32", new ColumnCodec.FixedWidth(4) {
                @Override
                public void write(Object value, RowBinaryOutput out) {
                    out.writeInt(Float.floatToRawIntBits(((Number) value).floatValue()));
                }
            });
            case FLOAT64 -> ClickHouseType.of("Float64", new ColumnCodec.FixedWidth(8) {
                @Override
                public void write(Object value, RowBinaryOutput out) {
                    out.writeLong(Double.doubleToRawLongBits(((Number) value).doubleValue()));
                }
            });
            default -> null;
        };
    }
}
