package io.cdcpipeline.transforms.pii;

import io.cdcpipeline.core.sink.ToastPlaceholder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * One action bound to one column's type: the column's new schema and the function that turns its values. Every
 * action keeps the type valid (a masked date is still a date, a generalised number the same number type); only
 * {@code hash} changes it, to a string of 64 hex characters, and {@code null}/{@code keep-domain} make it optional.
 * An action the type cannot take is refused with a message naming both. Debezium's placeholder for an unchanged
 * TOASTed value passes untouched, so the sinks can still fill it in from the (protected) value they hold.
 */
public final class ColumnProtector {

    /** The column's schema after the action (null when it is dropped) and what it does to values. */
    public record Bound(Schema schema, UnaryOperator<Object> apply) {
        public boolean drops() {
            return schema == null && apply == null;
        }
    }

    private static final Bound DROPPED = new Bound(null, null);

    private final Hmac hmac;
    private final ToastPlaceholder placeholder;
    private final String placeholderText;

    public ColumnProtector(Hmac hmac, String placeholderText) {
        this.hmac = hmac;
        this.placeholder = new ToastPlaceholder(placeholderText);
        this.placeholderText = placeholderText;
    }

    /**
     * Binds an action to a column with a schema; an {@link IllegalArgumentException} says why the column's type
     * cannot take it.
     */
    public Bound bind(PiiAction action, Schema schema) {
        String logical = schema.name();
        return switch (action.kind()) {
            case KEEP -> new Bound(schema, UnaryOperator.identity());
            case DROP -> DROPPED;
            case NULL -> new Bound(optional(schema), v -> null);
            case HASH -> new Bound(schema.isOptional() ? Schema.OPTIONAL_STRING_SCHEMA : Schema.STRING_SCHEMA,
                    guarded(v -> hmac.hash(v), true));
            case MASK -> new Bound(schema, guarded(masker(action.count(), schema), schema.type() == Schema.Type.STRING));
            case TRUNCATE -> {
                requireText(action, schema);
                int keep = action.count();
                yield new Bound(schema, guarded(v -> truncate((String) v, keep), true));
            }
            case KEEP_DOMAIN -> {
                requireText(action, schema);
                yield new Bound(optional(schema), guarded(v -> domain((String) v), true));
            }
            case GENERALISE -> new Bound(schema, guarded(generaliser(action, schema, logical), false));
        };
    }

    /** Binds an action to a schemaless value: its type is only known per value. */
    public UnaryOperator<Object> bindSchemaless(PiiAction action) {
        return switch (action.kind()) {
            case KEEP -> UnaryOperator.identity();
            case DROP -> null;
            case NULL -> v -> null;
            case HASH -> guarded(v -> hmac.hash(v), true);
            case MASK -> guarded(v -> maskByClass(v, action.count()), true);
            case TRUNCATE -> guarded(v -> v instanceof String s ? truncate(s, action.count()) : null, true);
            case KEEP_DOMAIN -> guarded(v -> v instanceof String s ? domain(s) : null, true);
            case GENERALISE -> guarded(v -> generaliseByClass(v, action), false);
        };
    }

    private UnaryOperator<Object> guarded(UnaryOperator<Object> action, boolean placeholderAsText) {
        return value -> {
            if (value == null) {
                return null;
            }
            if (placeholder.matches(value)) {
                return placeholderAsText ? placeholderText : value;
            }
            return action.apply(value);
        };
    }

    private static Schema optional(Schema schema) {
        if (schema.isOptional()) {
            return schema;
        }
        SchemaBuilder builder = new SchemaBuilder(schema.type()).name(schema.name()).version(schema.version())
                .doc(schema.doc()).optional();
        if (schema.parameters() != null) {
            builder.parameters(schema.parameters());
        }
        switch (schema.type()) {
            case ARRAY -> {
                return SchemaBuilder.array(schema.valueSchema()).name(schema.name()).optional().build();
            }
            case MAP -> {
                return SchemaBuilder.map(schema.keySchema(), schema.valueSchema()).name(schema.name()).optional().build();
            }
            case STRUCT -> schema.fields().forEach(f -> builder.field(f.name(), f.schema()));
            default -> {
            }
        }
        return builder.build();
    }

    private static void requireText(PiiAction action, Schema schema) {
        if (schema.type() != Schema.Type.STRING || (schema.name() != null && schema.name().startsWith("io.debezium.time"))) {
            throw new IllegalArgumentException(action + " applies to text columns, not to " + describe(schema));
        }
    }

    static String describe(Schema schema) {
        return schema.name() == null ? schema.type().getName() : schema.type().getName() + " (" + schema.name() + ")";
    }

    private static String truncate(String value, int keep) {
        return value.codePointCount(0, value.length()) <= keep ? value
                : value.substring(0, value.offsetByCodePoints(0, keep));
    }

    private static String domain(String value) {
        int at = value.lastIndexOf('@');
        return at < 0 || at == value.length() - 1 ? null : value.substring(at + 1);
    }

    private static String stars(String value, int keepLast) {
        int length = value.codePointCount(0, value.length());
        if (length <= keepLast) {
            return "*".repeat(length);
        }
        return "*".repeat(length - keepLast) + value.substring(value.offsetByCodePoints(0, length - keepLast));
    }

    private static UnaryOperator<Object> masker(int keepLast, Schema schema) {
        String logical = schema.name() == null ? "" : schema.name();
        switch (logical) {
            case Decimal.LOGICAL_NAME -> {
                int scale = Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD));
                BigDecimal zero = BigDecimal.ZERO.setScale(scale);
                return v -> zero;
            }
            case "io.debezium.time.ZonedTimestamp" -> {
                return v -> "1970-01-01T00:00:00Z";
            }
            case "io.debezium.data.Uuid" -> {
                return v -> "00000000-0000-0000-0000-000000000000";
            }
            case "io.debezium.data.Json" -> {
                return v -> "{}";
            }
            case org.apache.kafka.connect.data.Date.LOGICAL_NAME, Timestamp.LOGICAL_NAME,
                 Time.LOGICAL_NAME -> {
                return v -> new java.util.Date(0);
            }
            default -> {
            }
        }
        return switch (schema.type()) {
            case STRING -> v -> stars((String) v, keepLast);
            case INT8 -> v -> (byte) 0;
            case INT16 -> v -> (short) 0;
            case INT32 -> v -> 0;
            case INT64 -> v -> 0L;
            case FLOAT32 -> v -> 0.0f;
            case FLOAT64 -> v -> 0.0d;
            case BOOLEAN -> v -> false;
            case BYTES -> v -> v instanceof ByteBuffer b ? ByteBuffer.allocate(b.remaining()) : new byte[((byte[]) v).length];
            case ARRAY -> v -> List.of();
            default -> throw new IllegalArgumentException("mask cannot keep a " + describe(schema)
                    + " valid; use null, drop or hash");
        };
    }

    private static Object maskByClass(Object v, int keepLast) {
        if (v instanceof String s) {
            return stars(s, keepLast);
        }
        if (v instanceof Integer) {
            return 0;
        }
        if (v instanceof Long) {
            return 0L;
        }
        if (v instanceof Double || v instanceof Float) {
            return 0.0d;
        }
        if (v instanceof Boolean) {
            return false;
        }
        return null;
    }

    private static UnaryOperator<Object> generaliser(PiiAction action, Schema schema, String logical) {
        String unit = action.argument() == null ? null : action.argument();
        boolean temporal = unit == null || unit.equals("year") || unit.equals("month");
        boolean months = "month".equals(unit);
        String name = logical == null ? "" : logical;
        switch (name) {
            case "io.debezium.time.Date" -> {
                requireTemporalUnit(action, schema, temporal);
                return v -> (int) startOf(LocalDate.ofEpochDay(((Number) v).longValue()), months).toEpochDay();
            }
            case "io.debezium.time.Timestamp" -> {
                requireTemporalUnit(action, schema, temporal);
                return v -> epoch(startOf(dateTime(((Number) v).longValue(), 1_000L).toLocalDate(), months), 1_000L);
            }
            case "io.debezium.time.MicroTimestamp" -> {
                requireTemporalUnit(action, schema, temporal);
                return v -> epoch(startOf(dateTime(((Number) v).longValue(), 1_000_000L).toLocalDate(), months), 1_000_000L);
            }
            case "io.debezium.time.NanoTimestamp" -> {
                requireTemporalUnit(action, schema, temporal);
                return v -> epoch(startOf(dateTime(((Number) v).longValue(), 1_000_000_000L).toLocalDate(), months), 1_000_000_000L);
            }
            case "io.debezium.time.ZonedTimestamp" -> {
                requireTemporalUnit(action, schema, temporal);
                return v -> {
                    OffsetDateTime time = OffsetDateTime.parse((String) v);
                    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                            OffsetDateTime.of(startOf(time.toLocalDate(), months).atStartOfDay(), time.getOffset()));
                };
            }
            case org.apache.kafka.connect.data.Date.LOGICAL_NAME, Timestamp.LOGICAL_NAME -> {
                requireTemporalUnit(action, schema, temporal);
                return v -> {
                    LocalDate day = ((java.util.Date) v).toInstant().atOffset(ZoneOffset.UTC).toLocalDate();
                    return java.util.Date.from(startOf(day, months).atStartOfDay().toInstant(ZoneOffset.UTC));
                };
            }
            case Decimal.LOGICAL_NAME -> {
                BigDecimal width = band(action, schema, temporal);
                int scale = Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD));
                return v -> ((BigDecimal) v).divide(width, 0, RoundingMode.FLOOR).multiply(width)
                        .setScale(scale, RoundingMode.FLOOR);
            }
            default -> {
            }
        }
        if (!name.isEmpty()) {
            throw new IllegalArgumentException(action + " cannot apply to " + describe(schema));
        }
        return switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> {
                BigDecimal width = band(action, schema, temporal);
                if (width.stripTrailingZeros().scale() > 0) {
                    throw new IllegalArgumentException(action + ": a whole-number column needs a whole band width");
                }
                long w = width.longValueExact();
                yield switch (schema.type()) {
                    case INT8 -> v -> (byte) (Math.floorDiv(((Number) v).longValue(), w) * w);
                    case INT16 -> v -> (short) (Math.floorDiv(((Number) v).longValue(), w) * w);
                    case INT32 -> v -> (int) (Math.floorDiv(((Number) v).longValue(), w) * w);
                    default -> v -> Math.floorDiv(((Number) v).longValue(), w) * w;
                };
            }
            case FLOAT32 -> {
                double w = band(action, schema, temporal).doubleValue();
                yield v -> (float) (Math.floor(((Number) v).doubleValue() / w) * w);
            }
            case FLOAT64 -> {
                double w = band(action, schema, temporal).doubleValue();
                yield v -> Math.floor(((Number) v).doubleValue() / w) * w;
            }
            default -> throw new IllegalArgumentException(action + " applies to dates, timestamps and numbers, not to "
                    + describe(schema));
        };
    }

    private static Object generaliseByClass(Object v, PiiAction action) {
        String unit = action.argument();
        if (v instanceof Number n && unit != null && !unit.equals("year") && !unit.equals("month")) {
            BigDecimal width = new BigDecimal(unit);
            BigDecimal banded = new BigDecimal(n.toString()).divide(width, 0, RoundingMode.FLOOR).multiply(width);
            return v instanceof Integer || v instanceof Long ? (Object) banded.longValue() : (Object) banded.doubleValue();
        }
        if (v instanceof String s && s.length() >= 10 && s.charAt(4) == '-') {
            return "month".equals(unit) ? s.substring(0, 7) + "-01" : s.substring(0, 4) + "-01-01";
        }
        return null; // nothing to generalise it to: withheld rather than passed in clear
    }

    private static void requireTemporalUnit(PiiAction action, Schema schema, boolean temporal) {
        if (!temporal) {
            throw new IllegalArgumentException(action + ": a band width applies to numbers; " + describe(schema)
                    + " takes generalise:year or generalise:month");
        }
    }

    private static BigDecimal band(PiiAction action, Schema schema, boolean temporal) {
        if (action.argument() == null) {
            return BigDecimal.TEN;
        }
        if (temporal) {
            throw new IllegalArgumentException(action + ": year and month apply to dates; " + describe(schema)
                    + " takes a band width, e.g. generalise:10");
        }
        return new BigDecimal(action.argument());
    }

    private static LocalDate startOf(LocalDate day, boolean months) {
        return months ? day.withDayOfMonth(1) : day.withDayOfYear(1);
    }

    private static LocalDateTime dateTime(long value, long perSecond) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(value, perSecond), 0, ZoneOffset.UTC);
    }

    private static long epoch(LocalDate day, long perSecond) {
        return day.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * perSecond;
    }
}
