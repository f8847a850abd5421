package io.cdcpipeline.sink.clickhouse.types;

import org.apache.kafka.connect.data.Schema;

/**
 * text, varchar, char, json, jsonb, xml, enums, bit strings (as Postgres prints them) and every other type
 * Debezium sends as a string (including the {@code string} alternatives of the decimal, interval and time modes,
 * hstore in json mode, ltree, tsvector, inet, ranges, timetz as UTC {@code HH:MM:SS.ffffffZ}). Enums use the dialect's type for short
 * repeated strings rather than ClickHouse's {@code Enum}, so a value added to the Postgres enum later never fails
 * an insert.
 */
final class TextFamily implements TypeFamily {

    static final String ENUM = "io.debezium.data.Enum";
    /** bit(n) and varbit: bytes from Debezium, their 0-and-1 text once read (LogicalValues). */
    static final String BITS = "io.debezium.data.Bits";

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (schema.type() != Schema.Type.STRING && !BITS.equals(schema.name())) {
            return null;
        }
        String sql = ENUM.equals(schema.name()) ? context.dialect().repeatedStringType() : "String";
        return ClickHouseType.of(sql, new StringCodec());
    }

    static final class StringCodec extends ColumnCodec.LengthPrefixed {
        @Override
        public void write(Object value, RowBinaryOutput out) {
            out.writeString(value.toString());
        }
    }
}
