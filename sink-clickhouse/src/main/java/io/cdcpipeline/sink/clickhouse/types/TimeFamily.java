package io.cdcpipeline.sink.clickhouse.types;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import org.apache.kafka.connect.data.Schema;

/**
 * time (without zone), in every {@code time.precision.mode}: text {@code HH:MM:SS.ffffff} in a {@code String}.
 * ClickHouse before 25.x has no time-of-day type; fixed-width text sorts and compares correctly and reads back with
 * {@code toTime}/{@code parseDateTime}. (timetz arrives as a string and is kept as Debezium wrote it.)
 */
final class TimeFamily implements TypeFamily {

    private static final Set<String> NAMES = Set.of("io.debezium.time.Time", "io.debezium.time.MicroTime",
            "io.debezium.time.NanoTime", "org.apache.kafka.connect.data.Time");
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSSSS");

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (schema.name() == null || !NAMES.contains(schema.name())) {
            return null;
        }
        DateTimeFormatter format = "io.debezium.time.NanoTime".equals(schema.name()) ? NANOS : MICROS;
        return ClickHouseType.of("String", new ColumnCodec.LengthPrefixed() {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                out.writeString(((LocalTime) value).format(format));
            }

            @Override
            public String literal(Object value) {
                return SqlText.literal(((LocalTime) value).format(format));
            }
        });
    }
}
