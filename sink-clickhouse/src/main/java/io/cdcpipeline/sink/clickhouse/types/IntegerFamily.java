package io.cdcpipeline.sink.clickhouse.types;

import org.apache.kafka.connect.data.Schema;

/** smallint, integer, bigint (and Debezium's INT64 durations), and booleans, which are one byte. */
final class IntegerFamily implements TypeFamily {

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        return switch (schema.type()) {
            case INT8 -> ClickHouseType.of("Int8", new IntCodec(1));
            case INT16 -> ClickHouseType.of("Int16", new IntCodec(2));
            case INT32 -> ClickHouseType.of("Int32", new IntCodec(4));
            case INT64 -> ClickHouseType.of("Int64", new IntCodec(8));
            case BOOLEAN -> ClickHouseType.of(context.dialect().booleanType(), new BooleanCodec());
            default -> null;
        };
    }

    private static final class IntCodec extends ColumnCodec.FixedWidth {
        private final int width;

        IntCodec(int width) {
            super(width);
            this.width = width;
        }

        @Override
        public void write(Object value, RowBinaryOutput out) {
            long v = ((Number) value).longValue();
            switch (width) {
                case 1 -> out.writeByte((int) v);
                case 2 -> out.writeShort((int) v);
                case 4 -> out.writeInt((int) v);
                default -> out.writeLong(v);
            }
        }

        @Override
        public String literal(Object value) {
            return Long.toString(((Number) value).longValue());
        }
    }

    private static final class BooleanCodec extends ColumnCodec.FixedWidth {
        BooleanCodec() {
            super(1);
        }

        @Override
        public void write(Object value, RowBinaryOutput out) {
            out.writeByte(((Boolean) value) ? 1 : 0);
        }

        @Override
        public String literal(Object value) {
            return ((Boolean) value) ? "1" : "0";
        }
    }
}
