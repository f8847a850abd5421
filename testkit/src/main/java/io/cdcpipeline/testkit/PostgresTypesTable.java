package io.cdcpipeline.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A table with a column of every Postgres type beyond the everyday ones (extension types, PostGIS, bit strings,
 * network and range types, domains, composites, timetz, special numerics, arrays of many element types), with rows
 * of typical values, NULLs and edge values, and for each column the text a copy is documented to hold, read from
 * Postgres itself. Both sinks' type tests stream it under Debezium's handling modes and compare each value in the
 * canonical form of its {@link Kind}.
 */
public final class PostgresTypesTable {

    public static final String NAME = "pg_types";
    /** Ids of the rows: typical values, NULLs everywhere, edge values. */
    public static final List<Integer> IDS = List.of(1, 2, 3);

    /** How a value is compared: both sides' text is put into one form first. */
    public enum Kind {
        EXACT, JSON, DECIMAL, FLOAT, BOOL, TIMETZ, INTERVAL, TIMESTAMP, HEX,
        LIST_EXACT, LIST_JSON, LIST_DECIMAL, LIST_FLOAT, LIST_BOOL, LIST_TIMESTAMP;

        private static final ObjectMapper SORTED = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        private static final Pattern ISO_INTERVAL = Pattern.compile(
                "P(?:(-?\\d+)Y)?(?:(-?\\d+)M)?(?:(-?\\d+)D)?(?:T(?:(-?\\d+)H)?(?:(-?\\d+)M)?(?:(-?[\\d.]+)S)?)?");

        /** The one form of a side's text; arrays are element texts joined by '|', NULL elements as 'NULL'. */
        public String canonical(String text) {
            if (text == null) {
                return null;
            }
            try {
                return switch (this) {
                    case EXACT -> text;
                    case JSON -> SORTED.writeValueAsString(SORTED.readValue(text, Object.class));
                    case DECIMAL -> decimal(text);
                    case FLOAT -> floating(text);
                    case BOOL -> Boolean.toString(text.equals("t") || text.equals("true") || text.equals("1"));
                    case TIMETZ -> OffsetTime.parse(text.replaceAll("([+-]\\d\\d)$", "$1:00"))
                            .withOffsetSameInstant(ZoneOffset.UTC).toLocalTime().toString();
                    case INTERVAL -> text.startsWith("P") ? isoMicros(text) : text;
                    case TIMESTAMP -> text.replace('T', ' ').replaceAll("Z$|\\+00(:00)?$", "")
                            .replaceAll("\\.0*$", "").replaceAll("(\\.\\d*?)0+$", "$1");
                    case HEX -> text.toLowerCase(Locale.ROOT);
                    case LIST_EXACT, LIST_JSON, LIST_DECIMAL, LIST_FLOAT, LIST_BOOL, LIST_TIMESTAMP -> list(text);
                };
            } catch (RuntimeException | JsonProcessingException e) {
                return "unreadable " + this + ": " + text;
            }
        }

        private String list(String text) {
            if (text.isEmpty()) {
                return "";
            }
            Kind element = valueOf(name().substring("LIST_".length()));
            StringJoiner out = new StringJoiner("|");
            for (String item : text.split("\\|", -1)) {
                out.add(item.equals("NULL") ? "NULL" : element.canonical(item));
            }
            return out.toString();
        }

        private static String decimal(String text) {
            return switch (text) {
                case "NaN", "NAN", "nan" -> "NaN";
                case "Infinity", "POSITIVE_INFINITY", "inf" -> "Infinity";
                case "-Infinity", "NEGATIVE_INFINITY", "-inf" -> "-Infinity";
                default -> {
                    BigDecimal value = new BigDecimal(text.trim());
                    yield value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
                }
            };
        }

        private static String floating(String text) {
            String special = decimal(text);
            if (special.equals("NaN") || special.endsWith("Infinity")) {
                return special;
            }
            return Double.toString(Double.parseDouble(text)); // engines print doubles differently; the double is one
        }

        private static String isoMicros(String text) {
            Matcher m = ISO_INTERVAL.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("not an ISO interval: " + text);
            }
            if (m.group(1) != null && !m.group(1).equals("0") || m.group(2) != null && !m.group(2).equals("0")) {
                throw new IllegalArgumentException("months are not a fixed number of microseconds: " + text);
            }
            BigDecimal micros = BigDecimal.ZERO;
            long[] unit = {86_400_000_000L, 3_600_000_000L, 60_000_000L};
            for (int g = 3; g <= 5; g++) {
                if (m.group(g) != null) {
                    micros = micros.add(BigDecimal.valueOf(Long.parseLong(m.group(g))).multiply(BigDecimal.valueOf(unit[g - 3])));
                }
            }
            if (m.group(6) != null) {
                micros = micros.add(new BigDecimal(m.group(6)).movePointRight(6));
            }
            return micros.toBigIntegerExact().toString();
        }
    }

    /**
     * A column: its Postgres type (expected texts use each type's output form, {@code format('%s', x)}, where a cast
     * to text differs from it, as {@code inet::text} adds a /32), its values in rows 1 to 3 (SQL literals), and the Postgres SQL giving the text a
     * copy is documented to hold (for arrays, the elements' texts joined by '|').
     */
    public record Column(String name, String pgType, List<String> values, String expected, Kind kind) {
    }

    private static String arrayText(String column, String element) {
        return "CASE WHEN " + column + " IS NOT NULL THEN coalesce((SELECT string_agg(coalesce(" + element
                + ", 'NULL'), '|' ORDER BY o) FROM unnest(" + column + ") WITH ORDINALITY AS u(x, o)), '') END";
    }

    /** The columns under Debezium's connector properties {@code modes} (handling modes change what a copy holds). */
    public static List<Column> columns(Map<String, String> modes) {
        String decimalMode = modes.getOrDefault("decimal.handling.mode", "precise");
        Kind decimal = decimalMode.equals("double") ? Kind.FLOAT : Kind.DECIMAL;
        Kind decimals = decimalMode.equals("double") ? Kind.LIST_FLOAT : Kind.LIST_DECIMAL;
        List<Column> columns = new ArrayList<>(List.of(
                new Column("c_hstore", "hstore", List.of("'a=>1, b=>NULL'", "NULL", "'\"with space\"=>\"ü q\", a.b=>2'"),
                        "hstore_to_json(c_hstore)::text", Kind.JSON),
                new Column("c_json_scalar", "jsonb", List.of("'\"a string\"'", "'null'", "'[1, \"x\"]'"),
                        "c_json_scalar::text", Kind.JSON),
                new Column("c_geom", "geometry", List.of("'SRID=4326;POINT(1 2)'", "NULL",
                        "'POLYGON((0 0,10 0,10 10,0 0))'"), "ST_AsText(c_geom)", Kind.EXACT),
                new Column("c_geom_projected", "geometry", List.of("'SRID=3857;POINT(1000000.5 6000000)'", "NULL",
                        "'MULTIPOINT((1 2),(3 4))'"), "ST_AsText(c_geom_projected)", Kind.EXACT),
                new Column("c_geog", "geography", List.of("'POINT(3 4)'", "NULL", "'LINESTRING(0 0,1 1)'"),
                        "ST_AsText(c_geog)", Kind.EXACT),
                new Column("c_point", "point", List.of("'(1.5,2.5)'", "NULL", "'(-73.98,40.75)'"),
                        "'POINT(' || c_point[0] || ' ' || c_point[1] || ')'", Kind.EXACT),
                new Column("c_money", "money", List.of("'12.34'", "NULL", "'-92233720368547758.08'"),
                        "c_money::numeric::text", decimal),
                new Column("c_bit", "bit(8)", List.of("B'10100101'", "NULL", "B'00000001'"), "c_bit::text", Kind.EXACT),
                // varbit: Debezium sends the number the bits make, so leading zeros cannot come back
                new Column("c_varbit", "varbit", List.of("B'101'", "NULL", "B'0011'"),
                        "CASE WHEN c_varbit IS NOT NULL THEN coalesce(nullif(ltrim(c_varbit::text, '0'), ''), '0') END", Kind.EXACT),
                new Column("c_xml", "xml", List.of("'<a k=\"v\">x</a>'", "NULL", "'<r><![CDATA[ü & <]]></r>'"),
                        "c_xml::text", Kind.EXACT),
                new Column("c_ltree", "ltree", List.of("'top.sci.astro'", "NULL", "''"), "c_ltree::text", Kind.EXACT),
                new Column("c_citext", "citext", List.of("'MiXed Case'", "NULL", "''"), "c_citext::text", Kind.EXACT),
                new Column("c_tsvector", "tsvector", List.of("'a fat cat'", "NULL", "to_tsvector('english', 'Running cats')"),
                        "c_tsvector::text", Kind.EXACT),
                new Column("c_inet", "inet", List.of("'192.168.0.1/24'", "NULL", "'::1'"), "nullif(format('%s', c_inet), '')", Kind.EXACT),
                new Column("c_cidr", "cidr", List.of("'10.0.0.0/8'", "NULL", "'2001:db8::/32'"), "c_cidr::text", Kind.EXACT),
                new Column("c_macaddr", "macaddr", List.of("'08:00:2b:01:02:03'", "NULL", "'ff:ff:ff:ff:ff:ff'"),
                        "c_macaddr::text", Kind.EXACT),
                new Column("c_macaddr8", "macaddr8", List.of("'08:00:2b:01:02:03:04:05'", "NULL", "'00:00:00:00:00:00:00:00'"),
                        "c_macaddr8::text", Kind.EXACT),
                new Column("c_int4range", "int4range", List.of("'[1,10)'", "NULL", "'empty'"), "c_int4range::text", Kind.EXACT),
                new Column("c_numrange", "numrange", List.of("'(1.5,2.5]'", "NULL", "'(,)'"), "c_numrange::text", Kind.EXACT),
                new Column("c_tstzrange", "tstzrange", List.of("'[2024-01-01 00:00+00,2024-02-01 00:00+00)'", "NULL",
                        "'[1900-01-01 00:00+00,infinity)'"), "c_tstzrange::text", Kind.EXACT),
                new Column("c_daterange", "daterange", List.of("'[2024-01-01,2024-02-01)'", "NULL", "'[,2024-01-01)'"),
                        "c_daterange::text", Kind.EXACT),
                new Column("c_posint", "posint", List.of("5", "NULL", "2147483647"), "c_posint::text", Kind.EXACT),
                new Column("c_email", "email", List.of("'x@y.z'", "NULL", "''"), "c_email::text", Kind.EXACT),
                new Column("c_timetz", "timetz", List.of("'13:45:10.123456+02'", "NULL", "'00:00:00.5+14'"),
                        "c_timetz::text", Kind.TIMETZ),
                // No months: Debezium's microsecond intervals count a month as 30.4375 days, Postgres's epoch as 30.
                new Column("c_interval", "interval", List.of("'3 days 04:05:06.7'", "NULL", "'-1 days -00:00:00.000001'"),
                        "(extract(epoch from c_interval) * 1000000)::bigint::text", Kind.INTERVAL),
                new Column("c_bytea", "bytea", List.of("'\\x00ff'", "NULL", "''"), "encode(c_bytea, 'hex')", Kind.HEX),
                new Column("c_num_big", "numeric", List.of("1234567890123456789012345678901234567890.123456789", "NULL",
                        "-0.000000000000000000000000000000000000000001"), "c_num_big::text", decimal),
                new Column("c_uuid_arr", "uuid[]", List.of("'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'", "NULL",
                        "'{NULL,00000000-0000-0000-0000-000000000000}'"), arrayText("c_uuid_arr", "x::text"), Kind.LIST_EXACT),
                new Column("c_date_arr", "date[]", List.of("'{2024-01-01,2105-12-31}'", "NULL", "'{}'"),
                        arrayText("c_date_arr", "x::text"), Kind.LIST_EXACT),
                new Column("c_tstz_arr", "timestamptz[]", List.of("'{\"2024-01-01 10:00:00+00\"}'", "NULL",
                        "'{NULL,\"2100-02-03 04:05:06+00\"}'"),
                        arrayText("c_tstz_arr", "to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"), Kind.LIST_TIMESTAMP),
                new Column("c_num_arr", "numeric(10,2)[]", List.of("'{1.25,NULL}'", "NULL", "'{-99999999.99}'"),
                        arrayText("c_num_arr", "x::text"), decimals),
                new Column("c_bool_arr", "boolean[]", List.of("'{t,f}'", "NULL", "'{NULL}'"),
                        arrayText("c_bool_arr", "x::text"), Kind.LIST_BOOL),
                new Column("c_float_arr", "float8[]", List.of("'{1.5,-2.25e-10}'", "NULL", "'{0,1e300}'"),
                        arrayText("c_float_arr", "x::text"), Kind.LIST_FLOAT),
                new Column("c_inet_arr", "inet[]", List.of("'{10.0.0.1,::1}'", "NULL", "'{}'"),
                        arrayText("c_inet_arr", "nullif(format('%s', x), '')"), Kind.LIST_EXACT),
                new Column("c_jsonb_arr", "jsonb[]", List.of("ARRAY['{\"a\": 1}'::jsonb, '{\"b\": [true]}']", "NULL", "'{}'"),
                        arrayText("c_jsonb_arr", "x::text"), Kind.LIST_JSON),
                new Column("c_varchar_arr", "varchar(10)[]", List.of("'{x,\"y z\"}'", "NULL", "'{\"\",ü}'"),
                        arrayText("c_varchar_arr", "x::text"), Kind.LIST_EXACT)));
        if (!decimalMode.equals("precise")) {
            // Only the string and double modes carry NaN and the infinities of numeric (precise mode: Debezium logs
            // an error and sends NULL).
            columns.add(new Column("c_num_special", "numeric", List.of("'NaN'", "NULL", "'-Infinity'"),
                    "c_num_special::text", decimal));
        }
        if ("true".equals(modes.get("include.unknown.datatypes"))) {
            // Composite types reach a copy only this way: as the bytes of their Postgres text.
            columns.add(new Column("c_pair", "pair", List.of("ROW(1, 'b')", "NULL", "ROW(NULL, 'with \"quote\"')"),
                    "c_pair::text", Kind.EXACT));
        }
        return columns;
    }

    private PostgresTypesTable() {
    }

    /** Debezium's handling modes the type tests run under: the defaults, then every alternative at least once. */
    public static final List<Map<String, String>> MODES = List.of(
            Map.of(),
            Map.of("decimal.handling.mode", "string", "binary.handling.mode", "hex", "include.unknown.datatypes", "true"),
            Map.of("decimal.handling.mode", "double", "binary.handling.mode", "base64", "interval.handling.mode", "string",
                    "hstore.handling.mode", "map"));

    /** Creates the table in {@code pg} and returns its rows as Debezium's snapshot records under {@code modes}. */
    public static List<SinkRecord> capture(StackEndpoints stack, PostgresTestDatabase pg, Map<String, String> modes)
            throws Exception {
        try (Connection conn = pg.connect()) {
            create(conn, modes);
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public." + NAME), modes)) {
            return stream.take(IDS.size(), Duration.ofSeconds(60));
        }
    }

    /** Creates the extensions, domains, the composite type and the table with its three rows. */
    public static void create(Connection conn, Map<String, String> modes) throws SQLException {
        List<Column> columns = columns(modes);
        try (Statement st = conn.createStatement()) {
            for (String extension : List.of("hstore", "ltree", "citext", "postgis")) {
                st.execute("CREATE EXTENSION IF NOT EXISTS " + extension);
            }
            st.execute("CREATE DOMAIN posint AS integer CHECK (VALUE > 0)");
            st.execute("CREATE DOMAIN email AS text");
            st.execute("CREATE TYPE pair AS (a integer, b text)");
            StringJoiner ddl = new StringJoiner(", ", "CREATE TABLE " + NAME + " (id integer PRIMARY KEY, ", ")");
            columns.forEach(c -> ddl.add(c.name() + " " + c.pgType()));
            st.execute(ddl.toString());
            for (int row = 0; row < IDS.size(); row++) {
                StringJoiner values = new StringJoiner(", ", "INSERT INTO " + NAME + " VALUES (" + IDS.get(row) + ", ", ")");
                for (Column c : columns) {
                    values.add(c.values().get(row));
                }
                st.execute(values.toString());
            }
        }
    }

    /** What a copy should hold for row {@code id}: column name to Postgres's text (null for NULL). */
    public static Map<String, String> expected(Connection conn, Map<String, String> modes, int id) throws SQLException {
        List<Column> columns = columns(modes);
        StringJoiner select = new StringJoiner(", ", "SELECT ", " FROM " + NAME + " WHERE id = " + id);
        columns.forEach(c -> select.add(c.expected()));
        Map<String, String> expected = new HashMap<>();
        try (Statement st = conn.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = st.executeQuery(select.toString())) {
                if (!rs.next()) {
                    throw new AssertionError("no row " + id + " in " + NAME);
                }
                for (int i = 0; i < columns.size(); i++) {
                    expected.put(columns.get(i).name(), rs.getString(i + 1));
                }
            }
        }
        return expected;
    }
}
