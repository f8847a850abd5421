package io.cdcpipeline.core.consistency;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The text a column's value takes inside a row checksum ({@link RowChecksum}), chosen per sink so that Postgres (in
 * SQL, {@link #postgres}), ClickHouse (in SQL, by the sink) and a copy read by the check itself ({@link #of}) all
 * write a value the sink holds as it is meant to as the very same bytes:
 * <ul>
 * <li>{@link Kind#PLAIN}: the value's own text (integers, uuids, dates), the same in every engine;</li>
 * <li>{@link Kind#TEXT}: the UTF-8 length, a colon, the text (strings may hold any separator);</li>
 * <li>{@link Kind#BOOLEAN}: {@code 1} or {@code 0};</li>
 * <li>{@link Kind#DECIMAL}: plain digits without trailing fractional zeros ({@code 12.5}, {@code 0});</li>
 * <li>{@link Kind#FLOAT4}, {@link Kind#FLOAT8}: the IEEE bits as a signed integer, {@code nan} for any NaN (engines
 *     print floats differently, their bits are the same);</li>
 * <li>{@link Kind#TIMESTAMP}: {@code YYYY-MM-DD HH:MM:SS} in UTC with {@code digits} fractional digits, cut (not
 *     rounded) as the sink cuts what its type cannot hold.</li>
 * </ul>
 * NULL is {@code N} in every form (no form writes a lone {@code N} for a value). A form may carry what the copy
 * stores for values its type cannot hold (the sinks' {@code value.out.of.range=clamp}): dates and timestamps between
 * {@code min} and {@code max} (Postgres literals, UTC; null for no bound), and, with {@code finiteOnly}, NULL for
 * infinite and NaN floats. Postgres then writes the value the copy holds, so a documented clamp is not drift.
 */
public record ChecksumForm(Kind kind, int digits, String min, String max, boolean finiteOnly) {

    public enum Kind { PLAIN, TEXT, BOOLEAN, DECIMAL, FLOAT4, FLOAT8, TIMESTAMP }

    public static final ChecksumForm PLAIN = new ChecksumForm(Kind.PLAIN, 0);
    public static final ChecksumForm TEXT = new ChecksumForm(Kind.TEXT, 0);
    public static final ChecksumForm BOOLEAN = new ChecksumForm(Kind.BOOLEAN, 0);
    public static final ChecksumForm DECIMAL = new ChecksumForm(Kind.DECIMAL, 0);
    public static final ChecksumForm FLOAT4 = new ChecksumForm(Kind.FLOAT4, 0);
    public static final ChecksumForm FLOAT8 = new ChecksumForm(Kind.FLOAT8, 0);

    /** The text of NULL in every form. */
    public static final String NULL = "N";

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    public ChecksumForm {
        if (digits < 0 || digits > 9) {
            throw new IllegalArgumentException("fractional digits must be 0 to 9, not " + digits);
        }
    }

    public ChecksumForm(Kind kind, int digits) {
        this(kind, digits, null, null, false);
    }

    /** This form of a date or timestamp the copy holds only from {@code min} to {@code max} (null: unbounded). */
    public ChecksumForm within(String min, String max) {
        return new ChecksumForm(kind, digits, min, max, finiteOnly);
    }

    /** This form of a float the copy holds only when finite (infinity and NaN stored as NULL). */
    public ChecksumForm finite() {
        return new ChecksumForm(kind, digits, min, max, true);
    }

    /** Timestamps with {@code digits} fractional-second digits (0 for ClickHouse 18.16's DateTime). */
    public static ChecksumForm timestamp(int digits) {
        return new ChecksumForm(Kind.TIMESTAMP, digits);
    }

    /**
     * The form a copy that keeps each value as the pipeline sent it (ISO text for times, exact decimal text) is
     * compared in, for a column of this kind; null for json, whose text a copy may re-render (key order, spacing,
     * number forms) in ways no SQL in Postgres reproduces.
     */
    public static ChecksumForm ofSentValues(ColumnKind kind) {
        return switch (kind) {
            case INTEGER, UUID, DATE -> PLAIN;
            case TEXT -> TEXT;
            case BOOLEAN -> BOOLEAN;
            case DECIMAL -> DECIMAL;
            case FLOAT4 -> FLOAT4;
            case FLOAT8 -> FLOAT8;
            case TIMESTAMP, TIMESTAMPTZ -> timestamp(6);
            case JSON -> null;
        };
    }

    /**
     * Postgres SQL giving this form of a column's value ({@link #NULL} for NULL).
     *
     * @param column  the column, quoted
     * @param typname its type ({@code pg_type.typname})
     */
    public String postgres(String column, String typname) {
        String value = switch (kind) {
            case PLAIN -> clamped(column, typname) + "::text";
            case TEXT -> {
                // A cast of char(n) to text cuts its padding, which the copies keep; concat() does not.
                String text = typname.equals("bpchar") ? "concat(" + column + ")" : column + "::text";
                yield "octet_length(" + text + ")::text || ':' || " + text;
            }
            case BOOLEAN -> column + "::int::text";
            case DECIMAL -> typname.equals("numeric") ? "trim_scale(" + column + ")::text" : column + "::text";
            case FLOAT4 -> "CASE WHEN " + column + " = 'NaN' THEN 'nan' ELSE ('x' || encode(float4send(" + column
                    + "), 'hex'))::bit(32)::int::text END";
            case FLOAT8 -> {
                String value8 = typname.equals("float8") ? column : column + "::float8";
                yield "CASE WHEN " + value8 + " = 'NaN' THEN 'nan' ELSE ('x' || encode(float8send(" + value8
                        + "), 'hex'))::bit(64)::bigint::text END";
            }
            case TIMESTAMP -> {
                String utc = clamped(typname.equals("timestamptz") ? "(" + column + " AT TIME ZONE 'UTC')" : column,
                        "timestamp");
                if (digits == 0) {
                    yield "left(" + utc + "::text, 19)"; // ISO text (the driver sets DateStyle), cheaper than to_char
                }
                String full = "to_char(" + utc + ", 'YYYY-MM-DD HH24:MI:SS.US')";
                yield digits == 6 ? full
                        : digits < 6 ? "left(" + full + ", " + (20 + digits) + ")"
                        : "rpad(" + full + ", " + (20 + digits) + ", '0')";
            }
        };
        String isNull = column + " IS NULL" + (finiteOnly && (kind == Kind.FLOAT4 || kind == Kind.FLOAT8)
                ? " OR " + column + " IN ('Infinity', '-Infinity', 'NaN')" : "");
        return "CASE WHEN " + isNull + " THEN '" + NULL + "' ELSE " + value + " END";
    }

    /** The value, or the nearer bound when it lies outside them; {@code type} is what the bounds are read as. */
    private String clamped(String value, String type) {
        String out = value;
        if (max != null) {
            out = "least(" + out + ", '" + max + "'::" + type + ")";
        }
        if (min != null) {
            out = "greatest(" + out + ", '" + min + "'::" + type + ")";
        }
        return out;
    }

    /**
     * This form of a value given as text the way the pipeline sent it (null for NULL): integers and dates as they
     * are, {@code true}/{@code false}, decimals as exact text, floats as JSON numbers, timestamps as ISO text with an
     * optional offset. A value that cannot be read in this form is given back marked, so it compares unequal.
     */
    public String of(String text) {
        if (text == null) {
            return NULL;
        }
        try {
            return switch (kind) {
                case PLAIN -> text;
                case TEXT -> RowChecksum.utf8Length(text) + ":" + text;
                case BOOLEAN -> text.equals("true") || text.equals("t") || text.equals("1") ? "1" : "0";
                case DECIMAL -> text.equals("NaN") ? text : trimmed(text);
                case FLOAT4 -> {
                    float value = Float.parseFloat(text);
                    yield Float.isNaN(value) ? "nan" : Integer.toString(Float.floatToRawIntBits(value));
                }
                case FLOAT8 -> {
                    double value = Double.parseDouble(text);
                    yield Double.isNaN(value) ? "nan" : Long.toString(Double.doubleToRawLongBits(value));
                }
                case TIMESTAMP -> timestamp(text);
            };
        } catch (RuntimeException e) {
            return "unreadable " + kind.name().toLowerCase(Locale.ROOT) + ": " + text;
        }
    }

    /** Plain decimal text without trailing fractional zeros; digits only are cut in place, anything else parsed. */
    private static String trimmed(String text) {
        int point = text.indexOf('.');
        boolean plain = text.indexOf('e') < 0 && text.indexOf('E') < 0 && !text.startsWith("+")
                && (text.length() < 2 || text.charAt(text.startsWith("-") ? 1 : 0) != '0' || point == 1
                || point == 2 && text.charAt(0) == '-');
        if (!plain) {
            BigDecimal value = new BigDecimal(text);
            return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
        }
        String cut = text;
        if (point >= 0) {
            int end = cut.length();
            while (end > point + 1 && cut.charAt(end - 1) == '0') {
                end--;
            }
            cut = cut.substring(0, end == point + 1 ? point : end);
        }
        return cut.equals("-0") || cut.isEmpty() || cut.equals("-") ? "0" : cut;
    }

    private String timestamp(String text) {
        String iso = text.trim().replace(' ', 'T');
        boolean utc = iso.endsWith("Z");
        String local = utc ? iso.substring(0, iso.length() - 1) : iso;
        if (local.length() >= 19 && local.charAt(10) == 'T' && local.indexOf('+', 19) < 0
                && local.indexOf('-', 19) < 0 && (local.length() == 19 || local.charAt(19) == '.')) {
            // ISO local (or UTC) text, the pipeline's own: cut and padded as is, without parsing.
            StringBuilder out = new StringBuilder(20 + digits).append(local, 0, 10).append(' ')
                    .append(local, 11, 19);
            if (digits > 0) {
                out.append('.');
                String fraction = local.length() > 20 ? local.substring(20) : "";
                for (int i = 0; i < digits; i++) {
                    out.append(i < fraction.length() ? fraction.charAt(i) : '0');
                }
            }
            return out.toString();
        }
        LocalDateTime value = iso.length() > 10 && (iso.indexOf('+', 10) > 0 || iso.indexOf('-', 10) > 0)
                ? OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()
                : LocalDateTime.parse(iso);
        String out = SECONDS.format(value);
        if (digits == 0) {
            return out;
        }
        return out + "." + String.format(Locale.ROOT, "%09d", value.getNano()).substring(0, digits);
    }
}
