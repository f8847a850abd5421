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
 * Unchanged TOASTed values (REPLICA IDENTITY DEFAULT): Debezium sends {@code __debezium_unavailable_value} for a
 * large text and bytea column an update did not touch. The placeholder must never reach a row: the sink keeps the
 * stored value, from its own buffer when the insert is in the same batch and from ClickHouse otherwise; with no
 * earlier version anywhere the record is dead-lettered with the fix.
 */
@RealStack
class ToastIT {

    @Test
    void unchangedToastValuesKeepTheStoredValue(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch)
            throws Exception {
        List<SinkRecord> inserts;
        List<SinkRecord> updates;
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE docs (id integer PRIMARY KEY, title text, body text, blob bytea)");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.docs"), Map.of())) {
            stream.drain(Duration.ofSeconds(2)); // empty snapshot; the stream is open
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                // Random text and bytes do not compress: stored out of line (TOASTed), so updates leave them out.
                st.execute("INSERT INTO docs SELECT i, 'v1', (SELECT string_agg(md5(random()::text || i || g), '') "
                        + "FROM generate_series(1, 300) g), (SELECT string_agg(decode(md5(random()::text || g), 'hex'), "
                        + "''::bytea) FROM generate_series(1, 300) g) FROM generate_series(1, 3) i");
            }
            inserts = stream.take(3, Duration.ofSeconds(60));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE docs SET title = 'v2'");
                st.execute("UPDATE docs SET title = 'v3' WHERE id = 1");
            }
            updates = stream.take(4, Duration.ofSeconds(60));
        }
        assertThat(updates.get(0).value().toString()).as("Debezium sent the placeholder").contains("__debezium_unavailable_value");

        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                // Insert of row 1 and its updates in one batch: the value comes from the sink's buffer.
                List<SinkRecord> oneBatch = new ArrayList<>(List.of(inserts.get(0)));
                oneBatch.add(updates.get(0));
                oneBatch.add(updates.get(3));
                server.write(oneBatch, Map.of());
                // Rows 2 and 3 inserted and committed first, updated in a later batch: the value comes from ClickHouse.
                server.write(inserts.subList(1, 3), Map.of());
                server.write(updates.subList(1, 3), Map.of());

                assertThat(server.deadLetters).as("dead letters in %s", server).isEmpty();
                assertMatchesPostgres(pg, server);
                assertThat(server.scalar("SELECT count() FROM " + server.table("docs")
                        + " WHERE position(body, '__debezium_unavailable_value') > 0 "
                        + "OR position(blob, '__debezium_unavailable_value') > 0"))
                        .as("rows holding the placeholder, all versions").isEqualTo("0");
            }
        }
    }

    @Test
    void anUpdateWithNoEarlierVersionIsDeadLetteredWithTheFix(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> updates;
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE docs (id integer PRIMARY KEY, title text, body text)");
            st.execute("INSERT INTO docs SELECT 1, 'v1', string_agg(md5(random()::text || g), '') FROM generate_series(1, 300) g");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.docs"),
                Map.of("snapshot.mode", "no_data"))) {
            stream.drain(Duration.ofSeconds(2));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE docs SET title = 'v2'");
            }
            updates = stream.take(1, Duration.ofSeconds(60));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            legacy.write(updates, Map.of());
            assertThat(legacy.deadLetters).hasSize(1);
            assertThat(legacy.deadLetters.get(0).reason().getMessage()).contains("[body]")
                    .contains("unchanged-TOAST placeholder").contains("REPLICA IDENTITY FULL");
            assertThat(legacy.scalar("SELECT count() FROM " + legacy.table("docs"))).isEqualTo("0");
        }
    }

    private static void assertMatchesPostgres(PostgresTestDatabase pg, SinkHarness server) throws Exception {
        List<String> expected = new ArrayList<>();
        try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, title, md5(body), md5(blob), length(body) FROM docs ORDER BY id")) {
            while (rs.next()) {
                expected.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4)
                        + "|" + rs.getInt(5));
            }
        }
        assertThat(server.rows("SELECT id, title, lower(hex(MD5(body))), lower(hex(MD5(blob))), length(body) FROM "
                + server.table("docs_current") + " ORDER BY id"))
                .extracting(r -> String.join("|", r)).as("docs in %s", server).containsExactlyElementsOf(expected);
    }
}
