package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * A table without a primary key (an insert-only history like pgbench_history, and one with REPLICA IDENTITY FULL
 * whose rows are updated and deleted) lands in ClickHouse, keyed by row content, with the same {@code _current} view
 * as any table: its rows equal Postgres's, replays change nothing, and nothing is dead-lettered.
 */
@RealStack
class KeylessTablesIT {

    @Test
    void keylessRowsLandKeyedByContentAndFollowUpdatesAndDeletesUnderFullIdentity(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE history (tid integer, aid integer, delta integer, mtime timestamp, filler char(22))");
            st.execute("INSERT INTO history SELECT g % 10, g, g * 7 % 1000 - 500, timestamp '2026-01-01' "
                    + "+ g * interval '1 ms', NULL FROM generate_series(1, 500) g");
            st.execute("CREATE TABLE tags (name text NOT NULL, note text, weight numeric(6,2))");
            st.execute("ALTER TABLE tags REPLICA IDENTITY FULL");
            st.execute("INSERT INTO tags VALUES ('a', 'first', 1.5), ('b', NULL, 2), ('c', repeat('x', 5000), 3)");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.history", "public.tags"),
                Map.of())) {
            records.addAll(stream.take(503, Duration.ofSeconds(90)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO history SELECT 1, g, 1, timestamp '2026-02-01' + g * interval '1 ms', 'f' "
                        + "FROM generate_series(501, 600) g");
                st.execute("UPDATE tags SET note = 'changed' WHERE name = 'a'");
                st.execute("UPDATE tags SET weight = 4 WHERE name = 'c'"); // its long note is stored out of line
                st.execute("DELETE FROM tags WHERE name = 'b'");
                st.execute("INSERT INTO tags VALUES ('d', 'new', 5)");
            }
            records.addAll(stream.take(105, Duration.ofSeconds(90))); // and the delete's tombstone
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                assertThat(server.deadLetters).as("%s dead letters", server).isEmpty();
                assertSame(pg, server);
                // Delivered again (a restart before the offsets were saved): keyed by content, nothing doubles.
                server.write(records, Map.of());
                assertSame(pg, server);
                assertThat(server.scalar("SELECT count() FROM " + server.table("history_current"))).isEqualTo("600");
                assertThat(server.metrics.sinkMetrics().targetCount(server.database + ".tags", "keyless-old-row-unknown"))
                        .isZero();
            }
        }
    }

    private static void assertSame(PostgresTestDatabase pg, SinkHarness server) throws Exception {
        assertThat(clickHouseRows(server, "history", "toString(tid), toString(aid), toString(delta), "
                + "substring(toString(mtime), 1, 19), ifNull(filler, 'NULL')"))
                .as("%s history", server)
                .isEqualTo(postgresRows(pg, "SELECT tid, aid, delta, to_char(mtime, 'YYYY-MM-DD HH24:MI:SS'), "
                        + "coalesce(filler, 'NULL') FROM history"));
        assertThat(clickHouseRows(server, "tags", "name, ifNull(concat(substring(note, 1, 12), '~', toString(length(note))), 'NULL'), "
                + "toString(toFloat64(weight))"))
                .as("%s tags", server)
                .isEqualTo(postgresRows(pg, "SELECT name, coalesce(left(note, 12) || '~' || length(note), 'NULL'), "
                        + "weight::float8::text FROM tags"));
    }

    private static List<String> clickHouseRows(SinkHarness server, String table, String columns) {
        List<String> rows = new ArrayList<>();
        for (String[] row : server.rows("SELECT " + columns + " FROM " + server.table(table + "_current"))) {
            rows.add(String.join("|", row));
        }
        rows.sort(null);
        return rows;
    }

    private static List<String> postgresRows(PostgresTestDatabase pg, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection conn = pg.connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    cells.add(rs.getString(i));
                }
                rows.add(String.join("|", cells));
            }
        }
        rows.sort(null);
        return rows;
    }
}
