package io.cdcpipeline.core.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Turns a Connect value into the Java value it stands for, by its schema's logical name: Debezium's epoch-day
 * integers become {@link LocalDate}, microsecond timestamps {@link LocalDateTime}, zoned timestamp strings
 * {@link Instant}, variable-scale decimals {@link BigDecimal}, and so on. Both sinks start from these values and
 * format them for their target, so a type is understood once.
 */
public final class LogicalValues {

    /** Debezium and Connect logical type names this class knows, each with its conversion. */
    private static final Map<String, Function<Object, Object>> CONVERSIONS = Map.ofEntries(
            Map.entry("io.debezium.time.Date", v -> LocalDate.ofEpochDay(((Number) v).longValue())),
            Map.entry("org.apache.kafka.connect.data.Date", v -> toLocalDate((java.util.Date) v)),
            Map.entry("io.debezium.time.Timestamp", v -> localDateTimeOfMicros(((Number) v).longValue() * 1_000L)),
            Map.entry("io.debezium.time.MicroTimestamp", v -> localDateTimeOfMicros(((Number) v).longValue())),
            Map.entry("io.debezium.time.NanoTimestamp", v -> localDateTimeOfNanos(((Number) v).longValue())),
            Map.entry("org.apache.kafka.connect.data.Timestamp", v -> ((java.util.Date) v).toInstant()),
            Map.entry("io.debezium.time.ZonedTimestamp", v -> zonedTimestamp((String) v)),
            Map.entry("io.debezium.time.Time", v -> LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000_000L)),
            Map.entry("io.debezium.time.MicroTime", v -> LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000L)),
            Map.entry("io.debezium.time.NanoTime", v -> LocalTime.ofNanoOfDay(((Number) v).longValue())),
            Map.entry("org.apache.kafka.connect.data.Time", v -> LocalTime.ofNanoOfDay(
                    ((java.util.Date) v).getTime() * 1_000_000L)),
            Map.entry("io.debezium.data.VariableScaleDecimal", v -> variableScaleDecimal((Struct) v)));

    private LogicalValues() {
    }

    /**
     * The Java value of {@code value} under {@code schema}. Connect decimals arrive as {@link BigDecimal} already;
     * bytes come back as {@code byte[]}; arrays as lists of converted elements; anything else unchanged.
     */
    public static Object toJava(Schema schema, Object value) {
        if (value == null || schema == null) {
            return value;
        }
        Function<Object, Object> conversion = schema.name() == null ? null : CONVERSIONS.get(schema.name());
        if (conversion != null) {
            try {
                return conversion.apply(value);
            } catch (RuntimeException e) {
                throw new DataException("cannot read a " + schema.name() + " value from '" + value + "': " + e.getMessage(), e);
            }
        }
        return switch (schema.type()) {
            case BYTES -> value instanceof ByteBuffer buffer ? bytesOf(buffer) : value;
            case ARRAY -> {
                List<Object> converted = new ArrayList<>();
                for (Object element : (List<?>) value) {
                    converted.add(toJava(schema.valueSchema(), element));
                }
                yield converted;
            }
            default -> value;
        };
    }

    /** Postgres' 'infinity' and '-infinity' come through as those words; they read as the ends of time. */
    private static Instant zonedTimestamp(String text) {
        return switch (text) {
            case "infinity" -> Instant.MAX;
            case "-infinity" -> Instant.MIN;
            default -> OffsetDateTime.parse(text).toInstant();
        };
    }

    private static LocalDate toLocalDate(java.util.Date date) {
        return LocalDate.ofEpochDay(Math.floorDiv(date.getTime(), 86_400_000L));
    }

    private static LocalDateTime localDateTimeOfMicros(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1_000, ZoneOffset.UTC);
    }

    private static LocalDateTime localDateTimeOfNanos(long nanos) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                (int) Math.floorMod(nanos, 1_000_000_000L), ZoneOffset.UTC);
    }

    private static BigDecimal variableScaleDecimal(Struct struct) {
        Object raw = struct.get("value");
        byte[] bytes = raw instanceof ByteBuffer buffer ? bytesOf(buffer) : (byte[]) raw;
        return new BigDecimal(new BigInteger(bytes), struct.getInt32("scale"));
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
