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
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Turns a Connect value into the Java value it stands for, by its schema's logical name: Debezium's epoch-day
 * integers become {@link LocalDate}, microsecond timestamps {@link LocalDateTime}, zoned timestamp strings
 * {@link Instant}, variable-scale decimals {@link BigDecimal}, bit strings their 0-and-1 text,
 * geometries {@link SpatialValue} (WKT), and so on. Both sinks start from these values and
 * format them for their target, so a type is understood once.
 */
public final class LogicalValues {

    /** Debezium and Connect logical type names this class knows, each with its conversion. */
    private static final Map<String, Function<Object, Object>> CONVERSIONS = Map.ofEntries(
            Map.entry("io.debezium.time.Date", v -> LocalDate.ofEpochDay(((Number) v).longValue())),
            Map.entry("org.apache.kafka.connect.data.Date", v -> toLocalDate((Date) v)),
            Map.entry("io.debezium.time.Timestamp", v -> localDateTimeOfMicros(((Number) v).longValue() * 1_000L)),
            Map.entry("io.debezium.time.MicroTimestamp", v -> localDateTimeOfMicros(((Number) v).longValue())),
            Map.entry("io.debezium.time.NanoTimestamp", v -> localDateTimeOfNanos(((Number) v).longValue())),
            Map.entry("org.apache.kafka.connect.data.Timestamp", v -> ((Date) v).toInstant()),
            Map.entry("io.debezium.time.ZonedTimestamp", v -> zonedTimestamp((String) v)),
            Map.entry("io.debezium.time.Time", v -> LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000_000L)),
            Map.entry("io.debezium.time.MicroTime", v -> LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000L)),
            Map.entry("io.debezium.time.NanoTime", v -> LocalTime.ofNanoOfDay(((Number) v).longValue())),
            Map.entry("org.apache.kafka.connect.data.Time", v -> LocalTime.ofNanoOfDay(
                    ((Date) v).getTime() * 1_000_000L)),
            Map.entry("io.debezium.data.VariableScaleDecimal", v -> variableScaleDecimal((Struct) v)),
            Map.entry("io.debezium.data.geometry.Geometry", LogicalValues::spatial),
            Map.entry("io.debezium.data.geometry.Geography", LogicalValues::spatial),
            Map.entry("io.debezium.data.geometry.Point", LogicalValues::spatial));

    /** Debezium's bit strings ({@code bit(n)}, {@code varbit}): their length is a schema parameter. */
    private static final String BITS = "io.debezium.data.Bits";

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
        Function<Object, Object> conversion = conversionOf(schema);
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
            default -> {
                Instant utc = parseUtc(text);
                yield utc != null ? utc : OffsetDateTime.parse(text).toInstant();
            }
        };
    }

    /**
     * The form Debezium writes ZonedTimestamp in, {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, read without the general
     * formatter (a hot path: every timestamptz of every row); null for any other form.
     */
    static Instant parseUtc(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) {
                return null;
            }
            int fraction = digits(s, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = n - 1 - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        if (day > lengthOfMonth(year, month)) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static int lengthOfMonth(int year, int month) {
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 ? (leap ? 29 : 28) : (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
    }

    /** Days since 1970-01-01 of a valid proleptic Gregorian date (the days-from-civil algorithm). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** The non-negative number in s[from, to), or -1 if a character there is not a digit. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * The conversion {@link #toJava} applies for {@code schema}, looked up once: sinks resolve one per column when a
     * schema first appears and apply it to every value (nulls pass through).
     */
    public static UnaryOperator<Object> converterFor(Schema schema) {
        if (schema == null) {
            return UnaryOperator.identity();
        }
        Function<Object, Object> conversion = conversionOf(schema);
        if (conversion != null) {
            return value -> {
                if (value == null) {
                    return null;
                }
                try {
                    return conversion.apply(value);
                } catch (RuntimeException e) {
                    throw new DataException("cannot read a " + schema.name() + " value from '" + value + "': "
                            + e.getMessage(), e);
                }
            };
        }
        return switch (schema.type()) {
            case BYTES -> value -> value instanceof ByteBuffer buffer ? bytesOf(buffer) : value;
            case ARRAY -> {
                UnaryOperator<Object> element = converterFor(schema.valueSchema());
                yield value -> {
                    if (value == null) {
                        return null;
                    }
                    List<Object> converted = new ArrayList<>();
                    for (Object item : (List<?>) value) {
                        converted.add(element.apply(item));
                    }
                    return converted;
                };
            }
            default -> UnaryOperator.identity();
        };
    }

    private static Function<Object, Object> conversionOf(Schema schema) {
        if (schema.name() == null) {
            return null;
        }
        if (schema.name().equals(BITS)) {
            String length = schema.parameters() == null ? null : schema.parameters().get("length");
            return v -> BitString.text(bytes(v), length);
        }
        return CONVERSIONS.get(schema.name());
    }

    /** Geometry, geography and point structs carry (extended) WKB in their {@code wkb} field. */
    private static SpatialValue spatial(Object struct) {
        return SpatialValue.ofWkb(bytes(((Struct) struct).get("wkb")));
    }

    private static LocalDate toLocalDate(Date date) {
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
        return new BigDecimal(new BigInteger(bytes(struct.get("value"))), struct.getInt32("scale"));
    }

    /** A BYTES value, which Connect gives as a byte array or a ByteBuffer. */
    private static byte[] bytes(Object raw) {
        return raw instanceof ByteBuffer buffer ? bytesOf(buffer) : (byte[]) raw;
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
