package io.cdcpipeline.sink.clickhouse.types;

/**
 * Writes the values of one ClickHouse type in {@code RowBinary}. Values arrive as {@link
 * io.cdcpipeline.core.types.LogicalValues} made them (LocalDate, LocalDateTime, Instant, BigDecimal, byte[], lists),
 * never null: nulls are the job of {@link ClickHouseType}.
 */
public interface ColumnCodec {

    void write(Object value, RowBinaryOutput out);

    /** The type's default value (zero, empty string, empty array, 1970-01-01): what an omitted column holds. */
    void writeDefault(RowBinaryOutput out);

    /** Moves past one value of this type in {@code RowBinary} output. */
    void skip(RowBinaryInput in);

    /**
     * The value itself if this type holds it, else the nearest value it holds (its first or last date, say). A
     * {@link io.cdcpipeline.core.sink.OutOfRangeValues} policy decides whether the row is written that way.
     */
    default Object nearest(Object value) {
        return value;
    }

    /** The values this type holds, for messages about one it does not (e.g. "1970-01-01 to 2149-06-06"). */
    default String range() {
        return "";
    }

    /** The value as a SQL literal ClickHouse converts to this type in an {@code IN} list. */
    default String literal(Object value) {
        return SqlText.literal(String.valueOf(value));
    }

    /** A codec of a fixed width whose default is all zero bytes. */
    abstract class FixedWidth implements ColumnCodec {
        private final int width;

        protected FixedWidth(int width) {
            this.width = width;
        }

        @Override
        public void writeDefault(RowBinaryOutput out) {
            out.writeZeros(width);
        }

        @Override
        public void skip(RowBinaryInput in) {
            in.skip(width);
        }
    }

    /** A codec of length-prefixed bytes whose default is the empty string. */
    abstract class LengthPrefixed implements ColumnCodec {
        @Override
        public void writeDefault(RowBinaryOutput out) {
            out.writeVarUInt(0);
        }

        @Override
        public void skip(RowBinaryInput in) {
            in.skip((int) in.readVarUInt());
        }
    }
}
