package io.cdcpipeline.sink.clickhouse.types;

import io.cdcpipeline.sink.clickhouse.dialect.DateTimeSpec;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;

/**
 * timestamp and timestamptz, in UTC: {@code DateTime64(p)} at the source's precision on modern servers (3 for
 * Debezium's millisecond types, 6 for micro, 9 for nano, or the column's own scale when Debezium propagates it),
 * {@code DateTime} in whole seconds on legacy ones.
 */
final class TimestampFamily implements TypeFamily {

    private static final String SOURCE_SCALE = "__debezium.source.column.scale";
    private static final Map<String, Integer> PRECISION_BY_NAME = Map.of(
            "io.debezium.time.Timestamp", 3,
            "org.apache.kafka.connect.data.Timestamp", 3,
            "io.debezium.time.MicroTimestamp", 6,
            "io.debezium.time.NanoTimestamp", 9,
            "io.debezium.time.ZonedTimestamp", 6);
    private static final DateTimeFormatter LITERAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS");

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        Integer precision = schema.name() == null ? null : PRECISION_BY_NAME.get(schema.name());
        if (precision == null) {
            return null;
        }
        String scale = schema.parameters() == null ? null : schema.parameters().get(SOURCE_SCALE);
        if (scale != null && scale.matches("\\d")) {
            precision = Math.min(precision, Integer.parseInt(scale));
        }
        DateTimeSpec spec = context.dialect().dateTime(precision);
        return ClickHouseType.of(spec.sql(), new DateTimeCodec(spec));
    }

    /** Writes LocalDateTime (UTC wall time) or Instant values as DateTime or DateTime64. */
    static final class DateTimeCodec extends ColumnCodec.FixedWidth {
        private final DateTimeSpec spec;
        private final long ticksPerSecond;
        private final long nanosPerTick;
        private final long minSecond;
        private final long maxSecond;

        DateTimeCodec(DateTimeSpec spec) {
            super(spec.isDateTime64() ? 8 : 4);
            this.spec = spec;
            this.ticksPerSecond = spec.isDateTime64() ? (long) Math.pow(10, spec.precision()) : 1;
            this.nanosPerTick = 1_000_000_000L / ticksPerSecond;
            this.minSecond = spec.min().toEpochSecond(ZoneOffset.UTC);
            this.maxSecond = spec.max().toEpochSecond(ZoneOffset.UTC);
        }

        @Override
        public void write(Object value, RowBinaryOutput out) {
            long seconds;
            long nanos;
            if (value instanceof Instant instant) {
                seconds = instant.getEpochSecond();
                nanos = instant.getNano();
            } else {
                LocalDateTime utc = (LocalDateTime) value;
                seconds = utc.toEpochSecond(ZoneOffset.UTC);
                nanos = utc.getNano();
            }
            if (seconds < minSecond || seconds > maxSecond) {
                // Values come fitted (nearest); one outside the type would wrap around, so fit again.
                boolean low = seconds < minSecond;
                seconds = low ? minSecond : maxSecond;
                nanos = low ? 0 : spec.max().getNano();
            }
            if (spec.isDateTime64()) {
                out.writeLong(seconds * ticksPerSecond + nanos / nanosPerTick);
            } else {
                out.writeInt((int) seconds); // unsigned 32-bit on the server; the range check keeps it positive
            }
        }

        @Override
        public Object nearest(Object value) {
            long seconds = value instanceof Instant instant ? instant.getEpochSecond()
                    : ((LocalDateTime) value).toEpochSecond(ZoneOffset.UTC);
            if (seconds >= minSecond && seconds <= maxSecond) {
                return value;
            }
            LocalDateTime bound = seconds < minSecond ? spec.min() : spec.max();
            return value instanceof Instant ? bound.toInstant(ZoneOffset.UTC) : bound;
        }

        @Override
        public String range() {
            return spec.min() + " to " + spec.max() + " UTC";
        }

        @Override
        public String literal(Object value) {
            LocalDateTime utc = value instanceof Instant instant ? LocalDateTime.ofInstant(instant, ZoneOffset.UTC)
                    : (LocalDateTime) value;
            return SqlText.literal(utc.format(LITERAL));
        }
    }
}
