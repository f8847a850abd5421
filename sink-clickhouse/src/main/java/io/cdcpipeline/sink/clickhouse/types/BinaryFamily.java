package io.cdcpipeline.sink.clickhouse.types;

import org.apache.kafka.connect.data.Schema;

/** bytea (and composite values under include.unknown.datatypes): the raw bytes in a {@code String} (ClickHouse strings are byte strings). */
final class BinaryFamily implements TypeFamily {

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (schema.type() != Schema.Type.BYTES) {
            return null;
        }
        return ClickHouseType.of("String", new ColumnCodec.LengthPrefixed() {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                out.writeBinaryString((byte[]) value);
            }

            @Override
            public String literal(Object value) {
                StringBuilder hex = new StringBuilder("unhex('");
                for (byte b : (byte[]) value) {
                    hex.append(String.format("%02X", b));
                }
                return hex.append("')").toString();
            }
        });
    }
}
