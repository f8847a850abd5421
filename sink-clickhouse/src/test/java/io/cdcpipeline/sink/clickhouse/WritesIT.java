package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.StackOutage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The write path under trouble, on real servers: ClickHouse stopped and restarted mid-stream (nothing lost, the
 * writer never dies, and while ClickHouse is away no offset past the acknowledged rows is reported), and a row the
 * server refuses (dead-lettered alone, the rest of its batch written).
 */
@RealStack
class WritesIT {

    private static final int ROWS = 1000;
    private static final int UPDATES = 500;

    @Test
    void clickHouseRestartMidStreamLosesNothing(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch)
            throws Exception {
        List<SinkRecord> records = captureItems(stack, pg);
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            ClickHouseChangeSink sink = legacy.sink(Map.of(ClickHouseSinkConfig.BATCH_MAX_ROWS, "100",
                    ClickHouseSinkConfig.RETRY_MAX_ATTEMPTS, "3", ClickHouseSinkConfig.RETRY_BACKOFF_MS, "100",
                    ClickHouseSinkConfig.RETRY_BACKOFF_MAX_MS, "400"));
            List<SinkRecord> first = records.subList(0, 400);
            deliverLikeConnect(sink, first);
            assertThat(sink.preCommit(offsetsAfter(records, 400))).isEqualTo(offsetsAfter(records, 400));

            StackOutage.stop("clickhouse");
            Map<TopicPartition, OffsetAndMetadata> duringOutage;
            try {
                // Accepted into the buffer (its inserts fail and are retried), but not acknowledged.
                sink.put(records.subList(400, 450));
                duringOutage = sink.preCommit(offsetsAfter(records, 450));
            } finally {
                CompletableFuture<Void> restart = CompletableFuture.runAsync(StackOutage::restore);
                // Meanwhile the writer keeps being fed, as Connect would: refused batches come again.
                deliverLikeConnect(sink, records.subList(450, 900));
                restart.join();
            }
            assertThat(duringOutage).as("offsets reported while ClickHouse was down")
                    .isEqualTo(offsetsAfter(records, 400));
            deliverLikeConnect(sink, records.subList(900, records.size()));
            assertThat(sink.preCommit(offsetsAfter(records, records.size())))
                    .isEqualTo(offsetsAfter(records, records.size()));
            assertThat(legacy.deadLetters).isEmpty();
            assertThat(legacy.rows("SELECT count(), sum(qty) FROM " + legacy.table("items_current")).get(0))
                    .containsExactly(postgresCountAndSum(pg));
            ReliabilityCase.fault("ClickHouse restarted mid-stream (Connect sink task)").mode("Connect")
                    .expected("offsets stop at what ClickHouse acknowledged; refused batches come again; nothing lost "
                            + "or dead-lettered")
                    .observed("preCommit held at record 400 during the outage; after the restart every record "
                            + "acknowledged, count and sum equal Postgres, 0 dead letters")
                    .rowsCompared(records.size()).record();
        }
    }

    @Test
    void aRowTheServerRefusesIsDeadLetteredAndTheRestOfTheBatchLands(StackEndpoints stack, PostgresTestDatabase pg)
            throws Exception {
        List<SinkRecord> records = captureItems(stack, pg);
        try (SinkHarness modern = SinkHarness.modern()) {
            modern.write(records.subList(0, 1), Map.of());
            // A rule the sink knows nothing of: the server refuses any insert holding a row that breaks it. Updates
            // set qty = id * 3; those of ids 100, 200, ..., 500 break it, spread over a batch of 1499 records. (Five,
            // not hundreds: a storm of refused inserts once hung the in-process modern engine in CI.)
            modern.connection.execute("ALTER TABLE " + modern.table("items") + " ADD CONSTRAINT no_tripled_hundreds "
                    + "CHECK qty != id * 3 OR id % 100 != 0");
            List<SinkRecord> batch = new ArrayList<>(records.subList(1, ROWS));
            batch.addAll(records.subList(ROWS, ROWS + UPDATES));
            modern.write(batch, Map.of());

            assertThat(modern.deadLetters).hasSize(UPDATES / 100);
            assertThat(modern.deadLetters.get(0).reason().getMessage())
                    .contains("ClickHouse refused the row").contains("no_tripled_hundreds");
            assertThat(modern.rows("SELECT count(), countIf(qty = id * 3) FROM " + modern.table("items_current")).get(0))
                    .as("every row is there; the allowed updates applied, the refused ones not")
                    .containsExactly(Integer.toString(ROWS), Integer.toString(UPDATES - UPDATES / 100));
        }
    }

    /** Like a Connect worker: a batch refused with RetriableException is offered again after a pause. */
    static void deliverLikeConnect(ClickHouseChangeSink sink, List<SinkRecord> records) throws InterruptedException {
        for (int from = 0; from < records.size(); from += 50) {
            List<SinkRecord> chunk = records.subList(from, Math.min(records.size(), from + 50));
            for (int attempt = 0; ; attempt++) {
                try {
                    sink.put(chunk);
                    break;
                } catch (RetriableException e) {
                    assertThat(attempt).as("attempts to deliver a batch while ClickHouse restarts").isLessThan(200);
                    Thread.sleep(200);
                }
            }
        }
    }

    static Map<TopicPartition, OffsetAndMetadata> offsetsAfter(List<SinkRecord> records, int count) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (SinkRecord record : records.subList(0, count)) {
            offsets.merge(new TopicPartition(record.topic(), record.kafkaPartition()),
                    new OffsetAndMetadata(record.kafkaOffset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    /** 1000 inserts, then 500 updates (qty = id * 3), as Debezium streams them. */
    static List<SinkRecord> captureItems(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        return captureItems(stack, pg, List.of(), 0);
    }

    /** The changes of {@link #captureItems(StackEndpoints, PostgresTestDatabase)}, then of {@code more} statements. */
    static List<SinkRecord> captureItems(StackEndpoints stack, PostgresTestDatabase pg, List<String> more,
            int moreChanges) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE items (id integer PRIMARY KEY, qty integer NOT NULL, note text)");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.items"), Map.of())) {
            stream.drain(Duration.ofSeconds(2));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO items SELECT i, i, 'note ' || i FROM generate_series(1, " + ROWS + ") i");
                st.execute("UPDATE items SET qty = id * 3 WHERE id <= " + UPDATES);
                for (String statement : more) {
                    st.execute(statement);
                }
            }
            List<SinkRecord> records = stream.take(ROWS + UPDATES + moreChanges, Duration.ofSeconds(120));
            assertThat(ChangeEvent.of(records.get(ROWS)).operation().name()).isEqualTo("UPDATE");
            return records;
        }
    }

    private static String[] postgresCountAndSum(PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), sum(qty) FROM items")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        }
    }
}
