package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.testkit.ClickHouseTestCluster;
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
        createCodes(pg, 20);
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

    /**
     * The same on the stack's two servers as two shards, Distributed tables in front of per-shard ones, with a
     * history: the rebuild gets its own per-shard and Distributed tables (and history); the swap renames the per-shard
     * tables, so the Distributed table reads the rebuilt rows, and makes it again with their columns; each key stays
     * on one shard; the old rows stay readable through a Distributed table of their own. A second change rebuilds the
     * table again, and a stop after its per-shard tables were renamed (done here by hand, before the history's swap:
     * the harder case) is finished when the sink starts again.
     */
    @Test
    void anIncompatibleChangeRebuildsATableOfAShardedCluster(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster cluster) throws Exception {
        createCodes(pg, 40);
        Map<String, String> props = ClusterWritesIT.sharded(cluster, cluster.url(1));
        props.putAll(rebuilding(pg));
        props.put(ClickHouseSinkConfig.HISTORY_TABLES, "public\\.codes");
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        String db = cluster.database();
        List<SinkRecord> deadLetters = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.codes",
                "public.debezium_signal"), Map.of("signal.data.collection", "public.debezium_signal"));
                ClickHouseConnection connection = ClickHouseConnection.open(config)) {
            java.util.function.Supplier<ClickHouseChangeSink> newSink = () -> new ClickHouseChangeSink(connection,
                    config, (record, reason) -> deadLetters.add(record), new ClickHouseSinkMetrics(null));
            List<SinkRecord> snapshot = stream.take(40, Duration.ofSeconds(60));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE codes ALTER COLUMN code TYPE text USING 'c' || code");
                st.execute("INSERT INTO codes VALUES (41, 'new')");
            }
            List<SinkRecord> changes = stream.take(1, Duration.ofSeconds(60));
            try (ClickHouseChangeSink sink = newSink.get()) {
                sink.put(snapshot);
                sink.put(changes);
                sink.preCommit(Map.of());
                for (int server = 1; server <= 2; server++) {
                    assertThat(cluster.query(server, "SELECT name, engine FROM system.tables WHERE database = '" + db
                            + "' AND name LIKE 'codes_rebuild%' ORDER BY name")).as("the rebuild's tables on %d", server)
                            .isEqualTo("codes_rebuild\tDistributed\ncodes_rebuild_history\tDistributed\n"
                                    + "codes_rebuild_history_local\tReplicatedReplacingMergeTree\n"
                                    + "codes_rebuild_history_mv\tMaterializedView\n"
                                    + "codes_rebuild_local\tReplicatedReplacingMergeTree");
                }
                sink.put(stream.takeUntil("codes", 41, Duration.ofSeconds(60))); // the snapshot's reads
                awaitSwap(sink, cluster);
            }
            assertThat(deadLetters).isEmpty();
            String replaced = cluster.query(1, "SELECT name FROM system.tables WHERE database = '" + db
                    + "' AND match(name, '^codes_replaced_[0-9]+$')");
            for (int server = 1; server <= 2; server++) {
                assertThat(cluster.query(server, "SELECT engine FROM system.tables WHERE database = '" + db
                        + "' AND name = 'codes'")).isEqualTo("Distributed");
                assertThat(cluster.query(server, "SELECT table, type FROM system.columns WHERE database = '" + db
                        + "' AND name = 'code' AND table IN ('codes', 'codes_local', 'codes_history', "
                        + "'codes_history_local') ORDER BY table")).as("the new type on server %d", server)
                        .isEqualTo("codes\tNullable(String)\ncodes_history\tNullable(String)\n"
                                + "codes_history_local\tNullable(String)\ncodes_local\tNullable(String)");
                assertThat(cluster.query(server, "SELECT toString(id), code FROM " + db + ".codes_current ORDER BY id"))
                        .as("the current state through server %d", server).isEqualTo(postgresCodes(pg));
                assertThat(cluster.query(server, "SELECT count(), countIf(code = 1) FROM " + db + "." + replaced
                        + " FINAL")).as("the old rows through %s on server %d", replaced, server).isEqualTo("40\t1");
                assertThat(cluster.query(server, "SELECT count() FROM system.tables WHERE database = '" + db
                        + "' AND name LIKE 'codes_rebuild%'")).as("no rebuild table left").isEqualTo("0");
            }
            List<String> first = List.of(cluster.query(1, "SELECT DISTINCT id FROM " + db + ".codes_local").split("\n"));
            List<String> second = List.of(cluster.query(2, "SELECT DISTINCT id FROM " + db + ".codes_local").split("\n"));
            assertThat(first).as("keys on both shards").doesNotContainAnyElementsOf(second);
            assertThat(first.size() + second.size()).as("keys over the two shards").isEqualTo(41);
            assertThat(cluster.query(1, "SELECT uniqExact(id) FROM " + db + ".codes_history WHERE _cdc_op = 'r'"))
                    .as("the snapshot's reads in the swapped-in history").isEqualTo("41");

            // Again, to integer: the sink stops after renaming the per-shard tables.
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE codes ALTER COLUMN code TYPE integer USING length(code)");
                st.execute("UPDATE codes SET code = 100 WHERE id = 1");
            }
            try (ClickHouseChangeSink sink = newSink.get()) {
                sink.put(stream.takeUntil("codes", 1, Duration.ofSeconds(60))); // after the signal rows of before
                sink.put(stream.takeUntil("codes", 41, Duration.ofSeconds(60)));
                sink.preCommit(Map.of()); // written; one look at the counts, too few to swap
            }
            cluster.query(1, "RENAME TABLE " + db + ".codes_local TO " + db + ".codes_replaced_stopped_local, " + db
                    + ".codes_rebuild_local TO " + db + ".codes_local ON CLUSTER " + cluster.shardedName());
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE codes SET code = 200 WHERE id = 2");
            }
            try (ClickHouseChangeSink sink = newSink.get()) {
                sink.put(stream.takeUntil("codes", 1, Duration.ofSeconds(60)));
                sink.preCommit(Map.of());
            }
            assertThat(deadLetters).isEmpty();
            for (int server = 1; server <= 2; server++) {
                assertThat(cluster.query(server, "SELECT count() FROM system.tables WHERE database = '" + db
                        + "' AND name LIKE 'codes_rebuild%'")).as("the swap finished on server %d", server)
                        .isEqualTo("0");
                assertThat(cluster.query(server, "SELECT table, type FROM system.columns WHERE database = '" + db
                        + "' AND name = 'code' AND table IN ('codes', 'codes_history') ORDER BY table"))
                        .isEqualTo("codes\tNullable(Int32)\ncodes_history\tNullable(Int32)");
                assertThat(cluster.query(server, "SELECT toString(id), toString(code) FROM " + db
                        + ".codes_current ORDER BY id")).as("the current state through server %d", server)
                        .isEqualTo(postgresCodes(pg));
            }
            assertThat(cluster.query(1, "SELECT code FROM " + db + ".codes_history WHERE id = 2 ORDER BY _cdc_version "
                    + "DESC LIMIT 1")).as("the change after the finished swap reached the history").isEqualTo("200");
        }
    }

    /** Flushes the sink until the rebuild's table is gone (swapped in) or a minute passed. */
    private static void awaitSwap(ClickHouseChangeSink sink, ClickHouseTestCluster cluster) throws Exception {
        long swapBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cluster.query(1, "SELECT count() FROM system.tables WHERE database = '" + cluster.database()
                + "' AND name = 'codes_rebuild'").equals("0") && System.nanoTime() < swapBy) {
            sink.flushIfDue();
            sink.preCommit(Map.of());
            Thread.sleep(500);
        }
    }

    /** Postgres's codes as id TAB code lines, as ClickHouse's TabSeparated answer has them. */
    private static String postgresCodes(PostgresTestDatabase pg) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, code FROM codes ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "\t" + rs.getString(2));
            }
        }
        return String.join("\n", rows);
    }

    /** Table codes with rows 1 to {@code rows} (code = id), and the signal table. */
    private static void createCodes(PostgresTestDatabase pg, int rows) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE codes (id integer PRIMARY KEY, code integer)");
            createSignalTable(st);
            st.execute("INSERT INTO codes SELECT g, g FROM generate_series(1, " + rows + ") g");
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
