package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PartitionReplay;
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
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * A change no ALTER can follow (integer to text, which Postgres converted with its own USING expression) rebuilds
 * the table, on both ClickHouse servers, as on a Connect cluster: no snapshot notification reaches the sink, so the
 * rebuilt table is swapped in once it holds as many rows as the source at two looks. On the way, the sink is
 * restarted mid-rebuild: the new instance joins the rebuild it finds (asking for the snapshot again) and a record
 * from before the change, delivered again, goes to the table it fits instead of starting the rebuild over; and an
 * update whose TOASTed column is unchanged, of a row the snapshot has not reached yet, is filled from the table the
 * rebuild replaces. The copy ends equal to Postgres, with nothing dead-lettered.
 */
@RealStack
class TableRebuildIT {

    @Test
    void anIncompatibleTypeChangeRebuildsTheTableThroughARestart(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE codes (id integer PRIMARY KEY, code integer, big text)");
            createSignalTable(st);
            // Random text does not compress: stored out of line (TOASTed), so an update that leaves it out sends
            // Debezium's placeholder.
            st.execute("INSERT INTO codes SELECT g, g, CASE WHEN g = 1 THEN (SELECT string_agg(md5(random()::text "
                    + "|| h), '') FROM generate_series(1, 300) h) END FROM generate_series(1, 20) g");
        }
        // With a change history too: the rebuild builds its own, swapped in with the table.
        Map<String, String> rebuilding = new java.util.HashMap<>(rebuilding(pg));
        rebuilding.put(ClickHouseSinkConfig.HISTORY_TABLES, "public\\.codes");
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.codes",
                "public.debezium_signal"), Map.of("signal.data.collection", "public.debezium_signal"));
                SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            List<SinkRecord> snapshot = stream.take(20, Duration.ofSeconds(60));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE codes ALTER COLUMN code TYPE text USING 'c' || code");
                st.execute("UPDATE codes SET code = 'updated' WHERE id = 1");
                st.execute("INSERT INTO codes VALUES (21, 'new', NULL)");
            }
            List<SinkRecord> changes = stream.take(2, Duration.ofSeconds(60));
            assertThat(changes.get(0).value().toString()).as("the update carries the placeholder")
                    .contains("__debezium_unavailable_value");

            int signals = 0;
            for (SinkHarness server : List.of(legacy, modern)) {
                try (ClickHouseChangeSink sink = server.sink(rebuilding)) {
                    sink.put(snapshot);
                    sink.put(changes);
                    sink.preCommit(Map.of());
                }
                signals++;
                assertThat(count(pg, "SELECT count(*) FROM debezium_signal WHERE type = 'execute-snapshot'"))
                        .as("%s: the snapshot asked for", server).isEqualTo(signals);
                assertThat(server.rows("SELECT code, toString(length(big)) FROM " + server.table("codes_rebuild")
                        + " FINAL WHERE id = 1")).as("%s: the hole filled from the replaced table", server)
                        .extracting(r -> String.join("|", r)).containsExactly("updated|9600");

                try (ClickHouseChangeSink sink = server.sink(rebuilding)) {
                    sink.put(snapshot.subList(1, 2)); // row 2 as it was before the change, delivered again
                    signals++;
                    assertThat(count(pg, "SELECT count(*) FROM debezium_signal WHERE type = 'execute-snapshot'"))
                            .as("%s: the restarted sink joined the rebuild and asked again", server).isEqualTo(signals);
                    assertThat(server.scalar("SELECT toString(count()) FROM " + server.table("codes_rebuild")))
                            .as("%s: the rebuild not started over", server).isEqualTo("2");

                    sink.put(stream.takeUntil("codes", 21, Duration.ofSeconds(60))); // the snapshot's reads
                    long swapBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (server.scalar("SELECT name FROM system.tables WHERE database = '" + server.database
                            + "' AND name = 'codes_rebuild'") != null && System.nanoTime() < swapBy) {
                        sink.preCommit(Map.of());
                        Thread.sleep(500);
                    }
                }
                assertThat(server.rows("SELECT toString(id), code, toString(length(ifNull(big, ''))) FROM "
                        + server.table("codes_current") + " ORDER BY id")).as("%s", server)
                        .extracting(r -> String.join("|", r)).containsExactlyElementsOf(postgres(pg));
                assertThat(server.scalar("SELECT type FROM system.columns WHERE database = '" + server.database
                        + "' AND table = 'codes' AND name = 'code'")).isEqualTo("Nullable(String)");
                assertThat(server.scalar("SELECT name FROM system.tables WHERE database = '" + server.database
                        + "' AND name LIKE 'codes_replaced_%'")).as("%s: the old table kept", server).isNotNull();
                assertThat(server.deadLetters).as("%s", server).isEmpty();
                assertThat(server.scalar("SELECT type FROM system.columns WHERE database = '" + server.database
                        + "' AND table = 'codes_history' AND name = 'code'")).as("%s: the rebuilt history's type",
                        server).isEqualTo("Nullable(String)");
                assertThat(server.scalar("SELECT toString(uniqExact(id)) FROM " + server.table("codes_history")
                        + " WHERE _cdc_op = 'r'")).as("%s: the snapshot's reads in the new history", server)
                        .isEqualTo("21");
                assertThat(server.rows("SELECT name FROM system.tables WHERE database = '" + server.database
                        + "' AND name LIKE 'codes%history%' ORDER BY name")).extracting(r -> r[0])
                        .as("%s: the old history kept beside the old rows, one view", server).hasSize(3)
                        .contains("codes_history", "codes_history_mv")
                        .anyMatch(name -> name.matches("codes_replaced_\\d+_history"));
            }
            // A change after the swap reaches the new history through the view made again.
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE codes SET code = 'after' WHERE id = 2");
            }
            List<SinkRecord> after = new ArrayList<>();
            while (after.stream().noneMatch(r -> r.value() != null && r.value().toString().contains("code=after"))) {
                after.addAll(stream.take(1, Duration.ofSeconds(60)));
            }
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(after, rebuilding);
                assertThat(server.rows("SELECT toString(_cdc_op), code FROM " + server.table("codes_history")
                        + " FINAL WHERE id = 2 ORDER BY _cdc_version DESC LIMIT 1")).as("%s", server)
                        .extracting(r -> String.join("|", r)).containsExactly("u|after");
            }
        }
    }

    /**
     * On a Connect cluster the consumer group moves a table's partition to another task of the sink (each new topic
     * its topics.regex matches deals the partitions out again). The task that started the rebuild hands it over when
     * the partition is taken from it: it no longer looks at the counts, so it cannot swap the table in under the task
     * that now writes it, which joins the rebuild and completes it. It joins because the first task never commits
     * the partition past the record that started the rebuild, though it wrote everything after it (the snapshot's
     * reads too): the table need not change again for the next owner to see one of its records.
     */
    @Test
    void aTaskThatLosesTheTablesPartitionHandsItsRebuildOver(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE codes (id integer PRIMARY KEY, code integer)");
            createSignalTable(st);
            st.execute("INSERT INTO codes SELECT g, g FROM generate_series(1, 20) g");
        }
        Map<String, String> rebuilding = rebuilding(pg);
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.codes",
                "public.debezium_signal"), Map.of("signal.data.collection", "public.debezium_signal"));
                SinkHarness server = SinkHarness.legacy(ch);
                ClickHouseChangeSink first = server.sink(rebuilding);
                ClickHouseChangeSink second = server.sink(rebuilding)) {
            List<SinkRecord> snapshot = stream.take(20, Duration.ofSeconds(60));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE codes ALTER COLUMN code TYPE text USING 'c' || code");
                st.execute("INSERT INTO codes VALUES (21, 'new')");
            }
            List<SinkRecord> changes = stream.take(1, Duration.ofSeconds(60));
            TopicPartition codes = PartitionReplay.partitionOf(snapshot.get(0));
            first.partitionsMove(); // Connect's consumer group deals out the partitions
            first.put(snapshot);
            first.put(changes); // starts the rebuild
            assertThat(server.scalar("SELECT name FROM system.tables WHERE database = '" + server.database
                    + "' AND name = 'codes_rebuild'")).isEqualTo("codes_rebuild");
            List<SinkRecord> reads = stream.takeUntil("codes", 21, Duration.ofSeconds(60)); // what it asked for
            first.put(reads);
            Map<TopicPartition, OffsetAndMetadata> committed = first.preCommit(
                    Map.of(codes, new OffsetAndMetadata(PartitionReplay.after(reads))));
            long started = changes.get(0).kafkaOffset();
            assertThat(committed.get(codes).offset())
                    .as("everything is written, yet the offset stays at the record that started the rebuild")
                    .isEqualTo(started);
            first.forget(List.of(codes)); // Connect gives the partition to the second task

            // The second task reads the partition from the committed offset on: the records that started the
            // rebuild and the snapshot's reads, then the reads of the snapshot it asks for when it joins.
            second.partitionsMove();
            second.put(PartitionReplay.from(codes, started, snapshot, changes, reads));
            second.put(stream.takeUntil("codes", 21, Duration.ofSeconds(60)));
            second.preCommit(Map.of()); // written, and the first look at the counts
            assertThat(server.scalar("SELECT toString(count()) FROM " + server.table("codes_rebuild") + " FINAL"))
                    .as("the rebuilt table holds as many rows as the source").isEqualTo("21");
            for (int look = 0; look < 2; look++) {
                Thread.sleep(ResyncedRebuilds.CHECK_EVERY_MS + 200);
                first.flushIfDue();
                first.preCommit(Map.of());
            }
            assertThat(server.scalar("SELECT name FROM system.tables WHERE database = '" + server.database
                    + "' AND name = 'codes_rebuild'")).as("not swapped in by the task that handed it over")
                    .isEqualTo("codes_rebuild");

            long swapBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (server.scalar("SELECT name FROM system.tables WHERE database = '" + server.database
                    + "' AND name = 'codes_rebuild'") != null && System.nanoTime() < swapBy) {
                second.flushIfDue();
                Thread.sleep(500);
            }
            assertThat(server.rows("SELECT toString(id), code FROM " + server.table("codes_current") + " ORDER BY id"))
                    .as("swapped in by the task that writes the table now")
                    .extracting(r -> String.join("|", r)).containsExactlyElementsOf(
                            IntStream.rangeClosed(1, 21)
                                    .mapToObj(i -> i + "|" + (i == 21 ? "new" : "c" + i)).toList());
            assertThat(server.deadLetters).isEmpty();
        }
    }

    private static void createSignalTable(Statement st) throws Exception {
        st.execute("CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                + "data varchar(2048))");
    }

    /** The sink settings that let it ask for snapshots and count the source. */
    private static Map<String, String> rebuilding(PostgresTestDatabase pg) {
        return Map.of(SourceCheckConfig.URL, pg.jdbcUrl(), SourceCheckConfig.USER, pg.user(),
                SourceCheckConfig.SIGNAL_TABLE, "public.debezium_signal");
    }

    private static List<String> postgres(PostgresTestDatabase pg) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, code, length(coalesce(big, '')) FROM codes ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getInt(3));
            }
        }
        return rows;
    }

    private static long count(PostgresTestDatabase pg, String sql) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
