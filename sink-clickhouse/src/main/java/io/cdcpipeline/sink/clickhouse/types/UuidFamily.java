package io.cdcpipeline.sink.clickhouse.types;

import java.util.UUID;
import org.apache.kafka.connect.data.Schema;

/** uuid: ClickHouse's {@code UUID}, 16 bytes in RowBinary (the high 64 bits, then the low, each little-endian). */
final class UuidFamily implements TypeFamily {

    static final String UUID_NAME = "io.debezium.data.Uuid";

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (!UUID_NAME.equals(schema.name())) {
            return null;
        }
        return ClickHouseType.of("UUID", new ColumnCodec.FixedWidth(16) {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                UUID uuid = value instanceof UUID u ? u : UUID.fromString(value.toString());
                out.writeLong(uuid.getMostSignificantBits());
                out.writeLong(uuid.getLeastSignificantBits());
            }
        });
    }
}
