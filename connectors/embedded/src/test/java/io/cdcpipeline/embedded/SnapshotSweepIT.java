package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.embedded.position.PositionRefusedException;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lost position with the slot still there: the runner refuses to start; with a new snapshot asked for, the rows
 * deleted while no position was kept are removed from both copies when the snapshot completes (a snapshot itself
 * cannot send deletes, and the slot does not hand out changes from before the snapshot), the table emptied in the
 * meantime included.
 */
@RealStack
class SnapshotSweepIT {

    @Test
    void resnapshotAfterALostPositionRemovesRowsDeletedMeanwhile(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA,
                "INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'C' || g, g, true, NULL, NULL "
                        + "FROM generate_series(1, 50) g",
                "INSERT INTO orders SELECT g, 1 + g % 50, 'new', g * 1.5, timestamp '2026-01-01' + g * interval '1 minute' "
                        + "FROM generate_series(1, 300) g",
                "INSERT INTO order_items SELECT g, l, 'sku-' || l, l FROM generate_series(1, 40) g, generate_series(1, 2) l");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
        }

        // The position is lost; meanwhile rows are deleted, one table is emptied, others change and arrive.
        Files.delete(h.offsetFile());
        h.sql("DELETE FROM orders WHERE id % 3 = 0", // 100 rows
                "DELETE FROM customers WHERE id > 45", // 5 rows
                "DELETE FROM order_items", // 80 rows: the table is empty at the snapshot
                "UPDATE orders SET status = 'paid' WHERE id % 5 = 0",
                "INSERT INTO orders VALUES (1000, 1, 'late', 1.00, now())");

        assertThatThrownBy(h::start).isInstanceOf(PositionRefusedException.class)
                .hasMessageContaining("no stored position, but replication slot")
                .hasMessageContaining(h.offsetFile().toString()).hasMessageContaining("--resnapshot");
        // bin/cdc run says the same and exits with 3, starting nothing.
        Path config = h.writeConfig(work.resolve("pipeline.properties"));
        Path log = work.resolve("refused.log");
        Process refused = RunnerProcess.start(config, log);
        assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).as("exit code of a refused start; log:%n%s", Files.readString(log)).isEqualTo(3);
        assertThat(Files.readString(log)).contains("error: refusing to start: no stored position, but replication slot");
        assertThat(h.offsetFile()).as("a refused start writes nothing").doesNotExist();

        try (EmbeddedPipeline pipeline = h.start(true)) {
            h.awaitCopiesEqualSource(120);
            h.sql("DELETE FROM orders WHERE id = 1", "INSERT INTO order_items VALUES (1, 1, 'again', 1)");
            long compared = h.awaitCopiesEqualSource(60);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            assertThat(PipelineHarness.staleRemoved("clickhouse")).as("ClickHouse rows removed by the sweeps").isEqualTo(185);
            assertThat(PipelineHarness.staleRemoved("elasticsearch")).as("Elasticsearch documents removed by the sweeps").isEqualTo(185);
            ReliabilityCase.fault("Stored position lost (offset file deleted) while rows were deleted")
                    .expected("the start is refused naming the file and --resnapshot (exit 3, nothing written); the "
                            + "new snapshot's sweep removes every row deleted meanwhile")
                    .observed("refused with exit 3; after --resnapshot 185 stale rows removed from each copy; "
                            + "both copies equal Postgres")
                    .rowsCompared(compared).record();
        }
        try (var files = Files.list(work)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("the lost file was not kept aside: none")
                    .noneMatch(name -> name.contains("before-resnapshot"));
        }
    }

    /**
     * The slot is dropped while the runner is stopped (as when Postgres invalidates it): the changes since the stored
     * position are gone, so the runner refuses; with a new snapshot asked for, it ends equal to Postgres.
     */
    @Test
    void aDroppedSlotIsRefusedAndAResnapshotRecovers(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "INSERT INTO orders SELECT g, 1, 'new', g, timestamp '2026-01-01' "
                + "FROM generate_series(1, 100) g");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            h.sql("UPDATE orders SET status = 'streamed' WHERE id = 1"); // a streaming position to store
            h.awaitCopiesEqualSource(60);
            Thread.sleep(1_500); // past offset.flush.interval.ms, with a batch after it: the position is stored
            h.sql("UPDATE orders SET status = 'streamed again' WHERE id = 2");
            h.awaitCopiesEqualSource(60);
        }
        String slot = h.pipelineConfig().get("source.slot.name");
        h.sql("SELECT pg_drop_replication_slot('" + slot + "')", "DELETE FROM orders WHERE id > 60");

        assertThatThrownBy(h::start).isInstanceOf(PositionRefusedException.class)
                .hasMessageContaining("replication slot '" + slot + "' does not exist")
                .hasMessageContaining("the changes since the stored position are gone from Postgres");
        try (EmbeddedPipeline pipeline = h.start(true)) {
            long compared = h.awaitCopiesEqualSource(120);
            assertThat(PipelineHarness.staleRemoved("clickhouse")).isEqualTo(40);
            assertThat(PipelineHarness.staleRemoved("elasticsearch")).isEqualTo(40);
            ReliabilityCase.fault("Replication slot dropped by an administrator while the runner was stopped")
                    .expected("the start is refused: the changes since the stored position are gone; --resnapshot "
                            + "recovers and removes what was deleted meanwhile")
                    .observed("refused with \"replication slot ... does not exist\" and the loss said out loud; "
                            + "after --resnapshot 40 stale rows removed from each copy, both equal Postgres")
                    .rowsCompared(compared).record();
        }
        try (var files = Files.list(work)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("the old position, kept aside")
                    .anyMatch(name -> name.startsWith("offsets.dat.before-resnapshot-"));
        }
    }
}
