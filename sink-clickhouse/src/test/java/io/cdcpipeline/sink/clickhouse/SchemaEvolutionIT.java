package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.sink.TableRefusal;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Source schema changes mid-stream, from real Debezium records, into both ClickHouse servers: a column added (the
 * ClickHouse column exists before the rows that carry it), a column dropped (kept, filled with its default or NULL
 * as configured), a lossless widening (int to bigint) applied, and an incompatible change (int to text)
 * dead-lettered with its reason while the other tables keep flowing.
 */
@RealStack
class SchemaEvolutionIT {

    @ParameterizedTest(name = "dropped.column.fill={0}")
    @ValueSource(strings = {"default", "null"})
    void columnsAddedDroppedWidenedAndRefused(String fill, StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of(ClickHouseSinkConfig.DROPPED_COLUMN_FILL, fill));
                assertEvolved(server, fill.equals("null"));
            }
        }
    }

    /**
     * A refused type change is not refused for ever: once the user fixes the target by hand (here the column altered
     * to String), the sink takes the table up again at its next look ({@code refusal.recheck.ms}), without a restart.
     * Until then records of the refused schema are dead-lettered without asking the server again.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"legacy", "modern"})
    void aRefusedTableIsTakenUpAgainOnceTheTargetIsFixed(String which, StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        SinkRecord textCode = records.get(records.size() - 1); // codes row 2, code now text
        try (SinkHarness server = which.equals("legacy") ? SinkHarness.legacy(ch) : SinkHarness.modern()) {
            ClickHouseChangeSink sink = server.sink(Map.of(TableRefusal.CONFIG, "1500"));
            sink.put(records);
            sink.preCommit(Map.of());
            assertThat(server.deadLetters).extracting(d -> d.record()).containsExactly(textCode);

            server.connection.execute("ALTER TABLE " + server.table("codes") + " MODIFY COLUMN code String");
            sink.put(List.of(textCode));
            sink.preCommit(Map.of());
            assertThat(server.deadLetters).as("still refused within refusal.recheck.ms").hasSize(2);

            Thread.sleep(1600);
            sink.put(List.of(textCode));
            sink.preCommit(Map.of());
            assertThat(server.deadLetters).as("taken up after the fix").hasSize(2);
            assertThat(server.rows("SELECT id, code FROM " + server.table("codes_current") + " ORDER BY id"))
                    .extracting(r -> String.join("|", r)).containsExactly("1|7", "2|x-2");
            sink.close();
        }
    }

    /**
     * A sink stopped (a crash, a kill) between creating a table and its view, or between an ALTER and the view's
     * replacement, leaves the table without its view or with a stale one: the next start puts the view right.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"legacy", "modern"})
    void aMissingOrStaleViewIsRepairedOnTheNextStart(String which, StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (SinkHarness server = which.equals("legacy") ? SinkHarness.legacy(ch) : SinkHarness.modern()) {
            server.write(records.subList(0, 2), Map.of());
            String view = server.table("items_current");
            server.connection.execute("DROP TABLE " + view);
            server.write(records.subList(0, 2), Map.of());
            assertThat(server.rows("SELECT id, name FROM " + view + " ORDER BY id")).as("the view made again")
                    .extracting(r -> String.join("|", r)).containsExactly("1|one");

            // A column added to the table by a writer that stopped before it replaced the view.
            server.connection.execute("ALTER TABLE " + server.table("items") + " ADD COLUMN note Nullable(String) AFTER price");
            server.write(records.subList(2, 3), Map.of());
            assertThat(server.rows("SELECT id, ifNull(note, 'NULL') FROM " + view + " ORDER BY id"))
                    .as("the view replaced: it shows the new column")
                    .extracting(r -> String.join("|", r)).containsExactly("1|NULL", "2|added");
        }
    }

    private static void assertEvolved(SinkHarness server, boolean nullFill) {
        String view = server.table("items_current");
        // Row 1 came before any change; row 2 carries the added column; row 3 came after qty was dropped; row 4
        // has a bigint price.
        assertThat(server.rows("SELECT id, name, ifNull(toString(qty), 'NULL'), ifNull(note, 'NULL'), toString(price) FROM "
                + view + " ORDER BY id"))
                .as("rows in %s", server)
                .extracting(r -> String.join("|", r))
                .containsExactly(
                        "1|one|5|NULL|10",
                        "2|two|6|added|20",
                        "3|three|" + (nullFill ? "NULL" : "0") + "|after drop|30",
                        "4|four|" + (nullFill ? "NULL" : "0") + "|widened|5000000000");
        assertThat(server.scalar("SELECT type FROM system.columns WHERE database = '" + server.database
                + "' AND table = 'items' AND name = 'price'")).isEqualTo("Int64");
        assertThat(server.scalar("SELECT type FROM system.columns WHERE database = '" + server.database
                + "' AND table = 'items' AND name = 'qty'")).isEqualTo(nullFill ? "Nullable(Int32)" : "Int32");

        // The int-to-text change of another table is refused, never cast: its row is dead-lettered with the reason.
        assertThat(server.deadLetters).hasSize(1);
        assertThat(server.deadLetters.get(0).reason().getMessage())
                .contains("public.codes").contains("column code").contains("Int32").contains("String")
                .contains("does not convert values silently");
        assertThat(server.rows("SELECT id, toString(code) FROM " + server.table("codes_current") + " ORDER BY id"))
                .extracting(r -> String.join("|", r)).containsExactly("1|7");
        server.deadLetters.clear();
    }

    private static List<SinkRecord> capture(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL, "
                    + "price integer NOT NULL)");
            st.execute("CREATE TABLE codes (id integer PRIMARY KEY, code integer NOT NULL)");
            st.execute("INSERT INTO items VALUES (1, 'one', 5, 10)");
            st.execute("INSERT INTO codes VALUES (1, 7)");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.items", "public.codes"),
                Map.of())) {
            List<SinkRecord> records = new ArrayList<>(stream.take(2, Duration.ofSeconds(60)));
            // One change at a time, each record received before the next DDL: Debezium reads column details from
            // the live catalog when a table's schema changes, so DDL racing ahead would show in earlier records.
            for (String[] step : new String[][] {
                    {"ALTER TABLE items ADD COLUMN note text", "INSERT INTO items VALUES (2, 'two', 6, 20, 'added')"},
                    {"ALTER TABLE items DROP COLUMN qty", "INSERT INTO items VALUES (3, 'three', 30, 'after drop')"},
                    {"ALTER TABLE items ALTER COLUMN price TYPE bigint",
                            "INSERT INTO items VALUES (4, 'four', 5000000000, 'widened')"},
                    {"ALTER TABLE codes ALTER COLUMN code TYPE text USING code::text",
                            "INSERT INTO codes VALUES (2, 'x-2')"}}) {
                try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                    st.execute(step[0]);
                    st.execute(step[1]);
                }
                records.addAll(stream.take(1, Duration.ofSeconds(60)));
            }
            return records;
        }
    }
}
