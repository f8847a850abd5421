package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.indices.PutMappingRequest;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PartitionReplay;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Documents written before {@code ADD COLUMN ... DEFAULT} and {@code RENAME COLUMN} are rewritten in place: they get
 * the default (a NULL written with the new schema stays NULL) and the renamed value moves to the new name, at the
 * version their change gave them. A rewrite interrupted by a crash is found again at the next start (it is recorded
 * in the index mapping's {@code _meta} with the fields that make it possible).
 */
@RealStack
class ElasticsearchSchemaChangeIT {

    /**
     * With one process seeing every schema, and with a restart before each change (the columns of before are then
     * read from the mapping, where the sink records them) and the rows of before delivered again at the end, as
     * after a crash: they are not taken for a rename back, and write the renamed field under its new name.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"one writer", "restarted in between"})
    void documentsWrittenBeforeGetTheDefaultAndTheRenamedValueAtTheirVersion(String writers, StackEndpoints stack,
            PostgresTestDatabase pg, ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            if (writers.equals("one writer")) {
                try (ElasticsearchChangeSink sink = h.sink(Map.of())) {
                    sink.put(records);
                    sink.preCommit(EsHarness.offsetsAfter(records));
                }
            } else {
                h.write(records.subList(0, 2), Map.of());
                h.write(records.subList(2, 3), Map.of());
                h.write(records.subList(3, 4), Map.of());
                h.write(records.subList(0, 2), Map.of()); // rows 1 and 2 of before, delivered again
            }
            Map<String, String> docs = h.documents("notes");
            long v1 = ChangeEvent.of(records.get(0)).changeVersion();
            assertThat(docs.get("1")).as("written before both changes, at its own version").startsWith(v1 + "|")
                    .contains("remark=first", "c=dflt", "n=7").doesNotContain("note=");
            assertThat(docs.get("3")).as("a NULL written with the new schema stays NULL").contains("c=own, n=null");
            assertThat(docs.get("4")).contains("remark=fourth");
            assertThat(h.deadLetters).isEmpty();
            assertThat(h.client().indices().getMapping(m -> m.index(h.alias("notes"))).result().values().iterator()
                    .next().mappings().meta()).as("no rewrite left pending").doesNotContainKey(IndexManager.PENDING_REWRITE);
        }
    }

    @Test
    void aRewriteACrashInterruptedIsDoneAtTheNextStart(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            h.write(records.subList(0, 2), Map.of());
            // As a crash leaves it: the new fields mapped, the rewrite recorded, no document rewritten yet.
            String state = "{\"properties\": {\"c\": {\"type\": \"text\", \"fields\": {\"keyword\": {\"type\": \"keyword\", \"ignore_above\": 256}}}, \"n\": {\"type\": \"long\"}}, \"_meta\": {\""
                    + IndexManager.PENDING_REWRITE + "\": {\"renames\": {}, \"defaults\": {\"c\": \"dflt\", \"n\": 7}}}}";
            h.client().indices().putMapping(PutMappingRequest.of(b -> b.index(h.alias("notes"))
                    .withJson(new ByteArrayInputStream(state.getBytes()))));
            h.write(records.subList(2, 3), Map.of());
            Map<String, String> docs = h.documents("notes");
            assertThat(docs.get("1")).contains("c=dflt, n=7");
            assertThat(docs.get("2")).contains("c=dflt, n=7");
            assertThat(docs.get("3")).contains("c=own, n=null");
        }
    }

    /**
     * integer to text, which no mapping takes in place. Without the source's signal table the table is refused with
     * the fix named; with it the sink rebuilds the index by itself: a new version takes the table's writes, Debezium
     * (asked through the signal table) snapshots the table into it, and the alias moves once it holds as many
     * documents as the table has rows at two looks in a row, as on a Connect cluster, where no snapshot notification
     * reaches the sink.
     */
    @Test
    void aTypeChangeTheMappingCannotTakeIsRefusedWithTheFixOrRebuiltByTheSink(StackEndpoints stack,
            PostgresTestDatabase pg, ElasticsearchTestIndex es) throws Exception {
        Map<String, String> rebuilding = codesWithSignalTable(pg, 50);
        try (EsHarness h = new EsHarness(es);
                DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.codes",
                        "public.debezium_signal"), Map.of("signal.data.collection", "public.debezium_signal"))) {
            List<SinkRecord> snapshot = stream.take(50, Duration.ofSeconds(60));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE codes ALTER COLUMN code TYPE text USING 'c' || code");
                st.execute("INSERT INTO codes VALUES (51, 'text now')");
            }
            List<SinkRecord> retyped = stream.take(1, Duration.ofSeconds(60));

            h.write(snapshot, Map.of());
            h.write(retyped, Map.of());
            assertThat(h.deadLetters).hasSize(1);
            assertThat(h.deadLetters.get(0).reason().getMessage()).contains("cannot be changed from type [long]")
                    .contains("bin/cdc rebuild --table public.codes").contains("consistency.signal.table");
            h.deadLetters.clear();

            try (ElasticsearchChangeSink sink = h.sink(rebuilding)) {
                sink.put(retyped);
                assertThat(count(pg, "SELECT count(*) FROM debezium_signal WHERE type = 'execute-snapshot' "
                        + "AND data LIKE '%public.codes%'")).as("the snapshot asked for").isEqualTo(1);
                // The signal row's own change, then the snapshot's reads of the 51 rows
                List<SinkRecord> reads = stream.takeUntil("codes", 51, Duration.ofSeconds(60));
                sink.put(reads);
                sink.preCommit(EsHarness.offsetsAfter(reads));
                Map<String, String> before = h.documents("codes");
                assertThat(before.get("1")).as("searches keep the old index until the swap").contains("code=1}");
                long swapBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!h.documents("codes").getOrDefault("1", "").contains("code=c1}") && System.nanoTime() < swapBy) {
                    sink.flushIfDue();
                    Thread.sleep(500);
                }
            }
            Map<String, String> docs = h.documents("codes");
            assertThat(docs).hasSize(51);
            assertThat(docs.get("1")).contains("code=c1}");
            assertThat(docs.get("51")).contains("code=text now}");
            assertThat(h.deadLetters).isEmpty();
        }
    }

    /**
     * On a Connect cluster the consumer group may move a table's partition to another task in the middle of a rebuild
     * (each new topic the sink's topics.regex matches deals the partitions out again). The task that started the
     * rebuild never commits the partition past the record that started it, though it wrote everything after it, and
     * hands the rebuild over when the partition is taken: the next owner reads that record again, joins the rebuild
     * and moves the alias; the first task never does.
     */
    @Test
    void aTaskThatLosesTheTablesPartitionHandsItsRebuildOver(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        Map<String, String> rebuilding = codesWithSignalTable(pg, 20);
        try (EsHarness h = new EsHarness(es);
                DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.codes",
                        "public.debezium_signal"), Map.of("signal.data.collection", "public.debezium_signal"));
                ElasticsearchChangeSink first = h.sink(rebuilding);
                ElasticsearchChangeSink second = h.sink(rebuilding)) {
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
            List<SinkRecord> reads = stream.takeUntil("codes", 21, Duration.ofSeconds(60)); // what it asked for
            first.put(reads);
            Map<TopicPartition, OffsetAndMetadata> committed = first.preCommit(
                    Map.of(codes, new OffsetAndMetadata(PartitionReplay.after(reads))));
            long started = changes.get(0).kafkaOffset();
            assertThat(committed.get(codes).offset())
                    .as("everything is written, yet the offset stays at the record that started the rebuild")
                    .isEqualTo(started);
            first.forget(List.of(codes)); // Connect gives the partition to the second task

            second.partitionsMove();
            second.put(PartitionReplay.from(codes, started, snapshot, changes, reads)); // joins the rebuild and asks for the snapshot again
            second.put(stream.takeUntil("codes", 21, Duration.ofSeconds(60)));
            second.preCommit(Map.of());
            for (int look = 0; look < 2; look++) {
                Thread.sleep(ResyncedRebuilds.CHECK_EVERY_MS + 200);
                first.flushIfDue();
                first.preCommit(Map.of());
            }
            assertThat(h.documents("codes").get("1")).as("the alias not moved by the task that handed it over")
                    .contains("code=1}");

            long swapBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!h.documents("codes").getOrDefault("1", "").contains("code=c1}") && System.nanoTime() < swapBy) {
                second.flushIfDue();
                Thread.sleep(500);
            }
            Map<String, String> docs = h.documents("codes");
            assertThat(docs).as("moved by the task that writes the table now").hasSize(21);
            assertThat(docs.get("1")).contains("code=c1}");
            assertThat(docs.get("21")).contains("code=new}");
            assertThat(h.deadLetters).isEmpty();
        }
    }

    /**
     * Table codes (integer codes 1 to {@code rows}) and Debezium's signal table; returns the sink settings that let it
     * ask for snapshots and count the source.
     */
    private static Map<String, String> codesWithSignalTable(PostgresTestDatabase pg, int rows) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE codes (id integer PRIMARY KEY, code integer)");
            st.execute("CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                    + "data varchar(2048))");
            st.execute("INSERT INTO codes SELECT g, g FROM generate_series(1, " + rows + ") g");
        }
        return Map.of(SourceCheckConfig.URL, pg.jdbcUrl(),
                SourceCheckConfig.USER, pg.user(),
                SourceCheckConfig.SIGNAL_TABLE, "public.debezium_signal");
    }

    private static long count(PostgresTestDatabase pg, String sql) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows 1 and 2; c and n added with defaults, row 3 with c 'own' and n NULL; note renamed, row 4. */
    private static List<SinkRecord> capture(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE notes (id integer PRIMARY KEY, note text)");
            st.execute("INSERT INTO notes VALUES (1, 'first'), (2, 'second')");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.notes"), Map.of())) {
            records.addAll(stream.take(2, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE notes ADD COLUMN c text NOT NULL DEFAULT 'dflt', ADD COLUMN n integer DEFAULT 7");
                st.execute("INSERT INTO notes VALUES (3, 'third', 'own', NULL)");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE notes RENAME COLUMN note TO remark");
                st.execute("INSERT INTO notes VALUES (4, 'fourth', 'x', 1)");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
        }
        return records;
    }
}
