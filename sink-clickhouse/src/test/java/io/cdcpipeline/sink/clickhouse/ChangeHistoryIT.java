package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
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
import org.junit.jupiter.api.Test;

/**
 * A table's change history (setting history.tables) on both servers: every change of Postgres, read by Debezium, is
 * one history row with its operation, values and old row; "as of" queries give the table at each step; a replay adds
 * no history row; a column added later reaches the history too. TTL and delete-marker clean-up on the modern engine.
 */
@RealStack
class ChangeHistoryIT {

    private static final Map<String, String> HISTORY = Map.of(ClickHouseSinkConfig.HISTORY_TABLES, "public\\.accounts");
    private static final String[] BALANCES = {"10.5", "20.5", "30.5", "40.5", "50.5", "60.5"};

    @Test
    void everyChangeIsOneHistoryRowAndAsOfQueriesGiveEachStep(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric(10,2))");
            st.execute("ALTER TABLE accounts REPLICA IDENTITY FULL"); // updates carry the old row
        }
        List<SinkRecord> records = new ArrayList<>();
        List<SinkRecord> later = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.accounts"), Map.of())) {
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO accounts VALUES (1, 'ada', " + BALANCES[0] + "), (2, 'bob', 5)");
                for (int step = 1; step <= 5; step++) {
                    // Commits at least a second apart: 18.16 keeps commit times in whole seconds.
                    st.execute("SELECT pg_sleep(1.1)");
                    st.execute("UPDATE accounts SET balance = " + BALANCES[step] + " WHERE id = 1");
                }
                st.execute("SELECT pg_sleep(1.1)");
                st.execute("DELETE FROM accounts WHERE id = 1");
            }
            records.addAll(stream.take(9, Duration.ofSeconds(90))); // 2 inserts, 5 updates, the delete, its tombstone
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE accounts ADD COLUMN note text");
                st.execute("UPDATE accounts SET note = 'vip' WHERE id = 2");
            }
            later.addAll(stream.take(1, Duration.ofSeconds(90)));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                // The two inserts first, without a history: the table exists before the history is asked for, and
                // gets its columns, its history table and view when the sink next starts with history.tables.
                server.write(records.subList(0, 2), Map.of());
                assertThat(server.scalar("SELECT count() FROM system.columns WHERE database = '" + server.database
                        + "' AND table = 'accounts' AND name = '_cdc_op'")).isEqualTo("0");
                server.write(records, HISTORY);
                assertThat(server.deadLetters).as("%s dead letters", server).isEmpty();
                String history = server.table("accounts_history");

                List<String[]> rows = server.rows("SELECT toString(_cdc_op), toString(toFloat64(balance)), _cdc_deleted, "
                        + "ifNull(visitParamExtractRaw(_cdc_before, 'balance'), '-'), isNotNull(_cdc_tx_id), "
                        + "toString(_cdc_source_ts) FROM " + history + " FINAL WHERE id = 1 ORDER BY _cdc_version");
                assertThat(rows).as("%s: insert, 5 updates, delete", server).hasSize(7);
                assertThat(rows.stream().map(r -> r[0]).toList()).containsExactly("c", "u", "u", "u", "u", "u", "d");
                for (int step = 0; step <= 5; step++) {
                    assertThat(rows.get(step)[1]).as("%s balance after step %d", server, step)
                            .isEqualTo(BALANCES[step]);
                    assertThat(rows.get(step)[2]).isEqualTo("0");
                    assertThat(rows.get(step)[3]).as("the old row's balance").isEqualTo(step == 0 ? "-"
                            : BALANCES[step - 1] + "0");
                    assertThat(rows.get(step)[4]).as("transaction id").isEqualTo("1");
                }
                assertThat(rows.get(6)[2]).as("the delete").isEqualTo("1");
                assertThat(rows.get(6)[3]).as("the deleted row, whole under REPLICA IDENTITY FULL").isEqualTo("60.50");

                // The table as of each step: per key the newest row committed by then, deleted keys left out.
                for (int step = 0; step <= 6; step++) {
                    String asOf = rows.get(step)[5];
                    List<String[]> state = asOf(server, asOf);
                    if (step < 6) {
                        assertThat(state).as("%s as of step %d (%s)", server, step, asOf).hasSize(2);
                        assertThat(state.get(0)).containsExactly("1", "ada", BALANCES[step]);
                    } else {
                        assertThat(state).as("%s as of the delete", server).hasSize(1);
                    }
                    assertThat(state.get(state.size() - 1)).containsExactly("2", "bob", "5");
                }
                assertThat(asOf(server, "2000-01-01 00:00:00")).as("before anything happened").isEmpty();

                // Delivered again (a restart before the offsets were saved): the history holds each change once.
                server.write(records, HISTORY);
                server.connection.execute("OPTIMIZE TABLE " + history + " FINAL");
                assertThat(server.scalar("SELECT count() FROM " + history)).as("%s history rows after the replay",
                        server).isEqualTo("8");

                // A column added in Postgres reaches the table and its history before the row that carries it.
                server.write(later, HISTORY);
                assertThat(server.deadLetters).as("%s dead letters", server).isEmpty();
                assertThat(server.rows("SELECT toString(_cdc_op), ifNull(note, '-'), ifNull(visitParamExtractString("
                        + "_cdc_before, 'owner'), '') FROM " + history + " FINAL WHERE id = 2 ORDER BY _cdc_version"))
                        .extracting(r -> String.join(" ", r)).containsExactly("c - ", "u vip bob");
                assertThat(server.rows("SELECT id, note FROM " + server.table("accounts_current")))
                        .extracting(r -> String.join(" ", r)).containsExactly("2 vip");
            }
        }
    }

    /**
     * Retention and clean-up, with the actions docs/events.md gives: on the modern engine a TTL removes expired history
     * and event rows at the next merge (OPTIMIZE ... FINAL forces it), and OPTIMIZE ... FINAL CLEANUP removes delete
     * markers; on 18.16, which has neither, the same settings create the tables (with a warning) and OPTIMIZE ...
     * FINAL then ALTER ... DELETE removes the markers.
     */
    @Test
    void expiredRowsAndDeleteMarkersAreGoneAfterTheDocumentedActions(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE notes (id integer PRIMARY KEY, body text)");
            st.execute("CREATE TABLE order_events (id integer PRIMARY KEY, type text)");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.notes",
                "public.order_events"), Map.of())) {
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 4) g");
                st.execute("INSERT INTO order_events SELECT g, 'OrderPlaced' FROM generate_series(1, 3) g");
                st.execute("DELETE FROM notes WHERE id = 4");
            }
            records = stream.take(9, Duration.ofSeconds(90)); // 7 inserts, the delete and its tombstone
        }
        Map<String, String> settings = Map.of(ClickHouseSinkConfig.HISTORY_TABLES, "public\\.notes",
                ClickHouseSinkConfig.HISTORY_TTL, "10 SECOND", "table.override.public.order_events.ttl", "10 SECOND",
                ClickHouseSinkConfig.DELETE_MARKER_CLEANUP, "true");
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, settings);
                assertThat(server.deadLetters).as("%s dead letters", server).isEmpty();
                String notes = server.table("notes");
                server.connection.execute("OPTIMIZE TABLE " + notes + " FINAL");
                assertThat(server.scalar("SELECT countIf(_cdc_deleted = 1) FROM " + notes))
                        .as("%s: a merge keeps the delete marker", server).isEqualTo("1");
                assertThat(server.scalar("SELECT count() FROM " + server.table("notes_current"))).isEqualTo("3");
                String history = server.table("notes_history");
                String events = server.table("order_events");
                assertThat(server.scalar("SELECT count() FROM " + history)).isEqualTo("5");
                if (server.isModern()) {
                    assertThat(server.scalar("SELECT create_table_query FROM system.tables WHERE database = '"
                            + server.database + "' AND name = 'order_events'"))
                            .contains("TTL toDateTime(_cdc_source_ts) + toIntervalSecond(10)");
                    // Until every row is 10 s past its commit (the test wrote them within a few seconds of it).
                    long age = Long.parseLong(server.scalar("SELECT toUnixTimestamp(now()) - toUnixTimestamp(max("
                            + "_cdc_source_ts)) FROM " + events));
                    assertThat(age).as("seconds since the commit, when the rows were counted").isLessThan(10);
                    Thread.sleep((11 - age) * 1_000);
                    server.connection.execute("OPTIMIZE TABLE " + history + " FINAL");
                    server.connection.execute("OPTIMIZE TABLE " + events + " FINAL");
                    assertThat(server.scalar("SELECT count() FROM " + history)).as("expired history rows").isEqualTo("0");
                    assertThat(server.scalar("SELECT count() FROM " + events)).as("expired events").isEqualTo("0");
                    server.connection.execute("OPTIMIZE TABLE " + notes + " FINAL CLEANUP");
                } else {
                    // No TTL before 19.6: the rows stay until their month's partition is dropped.
                    assertThat(server.scalar("SELECT count() FROM " + events)).isEqualTo("3");
                    server.connection.execute("ALTER TABLE " + notes + " DELETE WHERE _cdc_deleted = 1");
                    Await.until(() -> "0".equals(server.scalar("SELECT count() FROM system.mutations WHERE database = '"
                            + server.database + "' AND table = 'notes' AND is_done = 0")), 60, "the mutation done");
                }
                assertThat(server.scalar("SELECT countIf(_cdc_deleted = 1) FROM " + notes))
                        .as("%s: the marker after the clean-up", server).isEqualTo("0");
                assertThat(server.rows("SELECT id FROM " + server.table("notes_current") + " ORDER BY id"))
                        .extracting(r -> r[0]).containsExactly("1", "2", "3");
            }
        }
    }

    /** id, owner, balance as of a commit time: the view on modern servers, the documented query on 18.16. */
    private static List<String[]> asOf(SinkHarness server, String time) {
        String columns = "SELECT toString(id), owner, toString(toFloat64(balance)) FROM ";
        if (server.isModern()) {
            return server.rows(columns + server.table("accounts_as_of") + "(as_of = '" + time + "') ORDER BY id");
        }
        return server.rows(columns + "(SELECT * FROM " + server.table("accounts_history") + " WHERE _cdc_source_ts <= "
                + "toDateTime('" + time + "', 'UTC') ORDER BY _cdc_version DESC LIMIT 1 BY id) WHERE _cdc_deleted = 0 "
                + "ORDER BY id");
    }
}
