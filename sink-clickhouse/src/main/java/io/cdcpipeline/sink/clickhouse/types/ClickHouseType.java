package io.cdcpipeline.sink.clickhouse.types;

/**
 * A ClickHouse column type and how its values are written.
 *
 * @param sql      the type as DDL spells it, e.g. {@code Nullable(Decimal(12, 2))}
 * @param codec    writes and skips values of the (non-Nullable) base type
 * @param nullable whether the column is {@code Nullable(...)}: a null flag byte precedes every value
 */
public record ClickHouseType(String sql, ColumnCodec codec, boolean nullable) {

    public static ClickHouseType of(String sql, ColumnCodec codec) {
        return new ClickHouseType(sql, codec, false);
    }

    private static final String LOW_CARDINALITY = "LowCardinality(";
    private static final String NULLABLE = "Nullable(";

    /** This type made Nullable; ClickHouse spells that LowCardinality(Nullable(T)) for LowCardinality types. */
    public ClickHouseType asNullable() {
        if (nullable) {
            return this;
        }
        String wrapped = sql.startsWith(LOW_CARDINALITY)
                ? LOW_CARDINALITY + NULLABLE + sql.substring(LOW_CARDINALITY.length()) + ")"
                : NULLABLE + sql + ")";
        return new ClickHouseType(wrapped, codec, true);
    }

    /** The base type of a Nullable one, or this type. */
    public ClickHouseType base() {
        if (!nullable) {
            return this;
        }
        String unwrapped = sql.startsWith(LOW_CARDINALITY + NULLABLE)
                ? LOW_CARDINALITY + sql.substring((LOW_CARDINALITY + NULLABLE).length(), sql.length() - 1)
                : sql.substring(NULLABLE.length(), sql.length() - 1);
        return new ClickHouseType(unwrapped, codec, false);
    }

    /** The value itself if the column holds it, else the nearest value it holds; null stays null. */
    public Object nearest(Object value) {
        return value == null ? null : codec.nearest(value);
    }

    /** What the column holds, for messages: "ClickHouse Date (1970-01-01 to 2149-06-06)". */
    public String held() {
        String range = codec.range();
        return "ClickHouse " + base().sql + (range.isEmpty() ? "" : " (" + range + ")");
    }

    /** Writes a value; null becomes NULL in a Nullable column and the type's default otherwise. */
    public void write(Object value, RowBinaryOutput out) {
        if (nullable) {
            out.writeByte(value == null ? 1 : 0);
        }
        if (value != null) {
            codec.write(value, out);
        } else if (!nullable) {
            codec.writeDefault(out);
        }
    }

    /** What a column that a row does not set holds: NULL if Nullable, else the type's default. */
    public void writeMissing(RowBinaryOutput out) {
        write(null, out);
    }

    public void skip(RowBinaryInput in) {
        if (nullable && in.readUnsignedByte() == 1) {
            return;
        }
        codec.skip(in);
    }

    /** Whether this column type, as ClickHouse reports it, is the same as another's (spacing aside). */
    public boolean sameAs(String reported) {
        return normalize(sql).equals(normalize(reported));
    }

    public static String normalize(String type) {
        return type.replace(" ", "");
    }
}
