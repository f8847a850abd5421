package io.cdcpipeline.core.consistency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * How a column's values are compared between Postgres and a copy: each side gives a value as text (Postgres through
 * the query {@link #sourceExpression} builds, ClickHouse through {@code toString}, Elasticsearch as the JSON value of
 * the document), and {@link #canonical} turns each into one form, so that a value the sink stored as it is meant to
 * compares equal and any other does not. A column of a type not listed here is not compared (and said so by name).
 */
public enum ColumnKind {
    INTEGER, TEXT, JSON, BOOLEAN, DECIMAL, FLOAT4, FLOAT8, UUID, DATE, TIMESTAMP, TIMESTAMPTZ;

    private static final Map<String, ColumnKind> BY_TYPE = Map.ofEntries(
            Map.entry("int2", INTEGER), Map.entry("int4", INTEGER), Map.entry("int8", INTEGER),
            Map.entry("text", TEXT), Map.entry("varchar", TEXT), Map.entry("bpchar", TEXT), Map.entry("xml", TEXT),
            Map.entry("json", JSON), Map.entry("jsonb", JSON), Map.entry("bool", BOOLEAN),
            Map.entry("numeric", DECIMAL), Map.entry("float4", FLOAT4), Map.entry("float8", FLOAT8),
            Map.entry("uuid", UUID), Map.entry("date", DATE), Map.entry("timestamp", TIMESTAMP),
            Map.entry("timestamptz", TIMESTAMPTZ));
    private static final ObjectMapper SORTED_JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    /** The kind of a Postgres type (its {@code pg_type.typname}), or null when such columns are not compared. */
    public static ColumnKind ofPostgresType(String typname) {
        return BY_TYPE.get(typname);
    }

    /** The SQL that reads a column's value as text in Postgres, in a form {@link #canonical} reads. */
    public String sourceExpression(String quotedColumn) {
        return switch (this) {
            case TIMESTAMP -> "to_char(" + quotedColumn + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.US')";
            case TIMESTAMPTZ -> "to_char(" + quotedColumn + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')";
            case TEXT -> quotedColumn; // a cast to text would cut char(n)'s padding, which the copies keep
            default -> quotedColumn + "::text";
        };
    }

    /**
     * The one form of a value given as text by either side; null stays null.
     *
     * @param fractionDigits the fractional-second digits the copy keeps for a timestamp (0 for ClickHouse 18.16's
     *                       DateTime); Postgres's value is cut to as many before comparing. Ignored for other kinds.
     */
    public String canonical(String text, int fractionDigits) {
        if (text == null) {
            return null;
        }
        try {
            return switch (this) {
                case INTEGER -> new BigInteger(text.trim()).toString();
                case TEXT -> text;
                case JSON -> SORTED_JSON.writeValueAsString(SORTED_JSON.readValue(text, Object.class));
                case BOOLEAN -> Boolean.toString(text.equals("t") || text.equals("true") || text.equals("1"));
                case DECIMAL -> text.equals("NaN") ? text : plain(new BigDecimal(text.trim()));
                case FLOAT4 -> special(text) != null ? special(text) : Float.toString(Float.parseFloat(text));
                case FLOAT8 -> special(text) != null ? special(text) : Double.toString(Double.parseDouble(text));
                case UUID -> text.toLowerCase(Locale.ROOT);
                case DATE -> LocalDate.parse(text).toString();
                case TIMESTAMP, TIMESTAMPTZ -> timestamp(text, fractionDigits);
            };
        } catch (RuntimeException | JsonProcessingException e) {
            return "unreadable " + this + ": " + text; // differs from any readable value, and says why
        }
    }

    private static String plain(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    private static String special(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "nan" -> "NaN";
            case "infinity", "inf", "+inf", "+infinity" -> "Infinity";
            case "-infinity", "-inf" -> "-Infinity";
            default -> null;
        };
    }

    private static String timestamp(String text, int fractionDigits) {
        String iso = text.trim().replace(' ', 'T');
        if (iso.endsWith("Z")) {
            iso = iso.substring(0, iso.length() - 1);
        } else {
            int time = iso.indexOf('T');
            int offset = Math.max(iso.indexOf('+', time), iso.indexOf('-', time));
            if (time > 0 && offset > time) {
                iso = iso.substring(0, offset); // "+00", "+00:00": only UTC values reach here
            }
        }
        LocalDateTime value = LocalDateTime.parse(iso);
        if (fractionDigits < 9) {
            long unit = (long) Math.pow(10, 9 - fractionDigits);
            value = value.truncatedTo(ChronoUnit.SECONDS).plusNanos(value.getNano() / unit * unit);
        }
        return MICROS.format(value) + (value.getNano() % 1000 == 0 ? "" : String.format("%03d", value.getNano() % 1000));
    }
}
