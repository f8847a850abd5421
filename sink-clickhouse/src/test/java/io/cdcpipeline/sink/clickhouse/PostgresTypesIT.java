package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.PostgresTypesTable;
import io.cdcpipeline.testkit.PostgresTypesTable.Column;
import io.cdcpipeline.testkit.PostgresTypesTable.Kind;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Postgres types beyond the everyday ones (extension types, PostGIS, bit strings, network and range types,
 * domains, composites, timetz, special and very wide numerics, arrays of many element types), from real Debezium
 * records under each of its handling modes, through the sink into the real 18.16 server and the modern engine: every
 * row arrives, and each value is what the type table in docs/clickhouse-sink.md says ClickHouse holds.
 */
@RealStack
class PostgresTypesIT {

    static Stream<Map<String, String>> modes() {
        return PostgresTypesTable.MODES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void everyRowArrivesWithTheValuesTheTypeTableDocuments(Map<String, String> modes, StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = PostgresTypesTable.capture(stack, pg, modes);
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness target : List.of(legacy, modern)) {
                target.write(records, Map.of());
                assertThat(target.deadLetters).as("dead letters in %s", target).isEmpty();
                assertSame(pg, target, modes);
            }
        }
    }

    private static void assertSame(PostgresTestDatabase pg, SinkHarness ch, Map<String, String> modes) throws Exception {
        List<Column> columns = PostgresTypesTable.columns(modes);
        for (int id : PostgresTypesTable.IDS) {
            Map<String, String> expected;
            try (Connection conn = pg.connect()) {
                expected = PostgresTypesTable.expected(conn, modes, id);
            }
            StringJoiner select = new StringJoiner(", ", "SELECT ", " FROM "
                    + ch.table(PostgresTypesTable.NAME + "_current") + " WHERE id = " + id);
            columns.forEach(c -> select.add(readExpression(c, modes)));
            List<String[]> rows = ch.rows(select.toString());
            assertThat(rows).as("row %d in %s", id, ch).hasSize(1);
            for (int i = 0; i < columns.size(); i++) {
                Column column = columns.get(i);
                String got = readValue(column, modes, rows.get(0)[i]);
                String want = expected.get(column.name());
                // ClickHouse arrays are never NULL: a NULL array is stored empty.
                if (want == null && column.kind().name().startsWith("LIST_")) {
                    want = "";
                }
                assertThat(column.kind().canonical(got))
                        .as("%s of row %d in %s: Postgres has <%s>, ClickHouse <%s>", column.name(), id, ch, want, got)
                        .isEqualTo(column.kind().canonical(want));
            }
        }
    }

    /** The ClickHouse SQL reading a column as text; numerics bare (18.16 prints wide Decimal128 wrongly in toString). */
    private static String readExpression(Column column, Map<String, String> modes) {
        String name = column.name();
        if (column.kind().name().startsWith("LIST_")) {
            return "arrayStringConcat(arrayMap(x -> ifNull(toString(x), 'NULL'), " + name + "), '|')";
        }
        if (column.kind() == Kind.DECIMAL || column.kind() == Kind.FLOAT) {
            return name;
        }
        if (name.equals("c_bytea") && !modes.containsKey("binary.handling.mode")) {
            return "lower(hex(c_bytea))"; // raw bytes in a String
        }
        return "toString(" + name + ")";
    }

    /** Text the table compares: base64 (binary.handling.mode=base64) back to hex, composites' bytes as text. */
    private static String readValue(Column column, Map<String, String> modes, String text) {
        if (text == null) {
            return null;
        }
        if (column.name().equals("c_bytea") && "base64".equals(modes.get("binary.handling.mode"))) {
            return HexFormat.of().formatHex(Base64.getDecoder().decode(text));
        }
        if (column.name().equals("c_pair") && "hex".equals(modes.get("binary.handling.mode"))) {
            return new String(HexFormat.of().parseHex(text), StandardCharsets.UTF_8);
        }
        return text;
    }
}
