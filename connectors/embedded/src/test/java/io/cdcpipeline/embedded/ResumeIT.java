package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the runner mid-stream, cleanly or by SIGKILL, and restarting it loses nothing. */
@RealStack
class ResumeIT {

    private static final int CHANGES = 1500;

    @Test
    void cleanStopMidStreamThenRestartLosesNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA);

        CompletableFuture<Void> load;
        try (EmbeddedPipeline pipeline = h.start()) {
            awaitStreaming(h);
            load = CompletableFuture.runAsync(() -> writeChanges(h));
            awaitOrders(h, 100);
        } // closed while the load goes on
        load.get(120, TimeUnit.SECONDS);
        assertThat(h.postgresRows("SELECT count(*) FROM orders").get(0).get(0)).isNotEqualTo("0");

        try (EmbeddedPipeline pipeline = h.start()) {
            long compared = h.awaitCopiesEqualSource(120);
            assertThat(pipeline.failure()).isNull();
            ReliabilityCase.fault("Runner closed mid-stream while the load goes on, then started again")
                    .expected("the restart resumes from the saved position; both copies equal Postgres")
                    .observed("resumed, caught up, no failure").rowsCompared(compared).record();
        }
    }

    @Test
    void killedRunnerRestartsWithoutLossAndStopsCleanlyOnSigterm(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA);
        Path config = h.writeConfig(work.resolve("pipeline.properties"));

        // Runner logs stay in target/ so a failure can be read after the temp folder is gone.
        Path logs = Files.createDirectories(Path.of("target", "runner-logs", pg.name()));
        Process runner = startRunner(config, logs.resolve("runner-1.log"));
        CompletableFuture<Void> load;
        try {
            awaitStreaming(h);
            load = CompletableFuture.runAsync(() -> writeChanges(h));
            awaitOrders(h, 100);
        } finally {
            runner.destroyForcibly(); // SIGKILL: no shutdown hook, no final offset flush
        }
        assertThat(runner.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(runner.exitValue()).isEqualTo(137);
        load.get(120, TimeUnit.SECONDS);

        Process restarted = startRunner(config, logs.resolve("runner-2.log"));
        boolean stoppedInTime;
        long compared;
        try {
            compared = h.awaitCopiesEqualSource(120);
        } catch (AssertionError e) {
            // A thread dump in the runner's log shows where a stalled runner waits.
            new ProcessBuilder("kill", "-3", Long.toString(restarted.pid())).start().waitFor();
            Thread.sleep(2000);
            throw e;
        } finally {
            try {
                h.assertNoDeadLetters();
            } finally {
                // Stopped whatever an assertion above said: a runner left running would outlive the build.
                restarted.destroy(); // SIGTERM: the runner's shutdown hook stops the engine, then the sinks
                stoppedInTime = restarted.waitFor(60, TimeUnit.SECONDS);
                if (!stoppedInTime) {
                    restarted.destroyForcibly();
                }
            }
        }
        assertThat(stoppedInTime).as("runner stops on SIGTERM").isTrue();
        // 143 = 128 + SIGTERM: the JVM's exit code after a signal, also when its shutdown hooks finished cleanly.
        assertThat(restarted.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
        assertThat(Files.readString(logs.resolve("runner-2.log")))
                .contains("stopped: Connector 'io.debezium.connector.postgresql.PostgresConnector' completed normally");
        ReliabilityCase.fault("Runner process SIGKILLed under load, restarted, then stopped with SIGTERM")
                .expected("no loss after the kill; SIGTERM stops the engine, then the sinks, exit 143")
                .observed("exit 137 on the kill; restart caught up with no dead letters; clean stop on SIGTERM, exit 143")
                .rowsCompared(compared).record();
    }

    /** Single-row transactions: inserts, and updates and deletes of rows inserted a little earlier. */
    private static void writeChanges(PipelineHarness h) {
        try {
            for (int i = 1; i <= CHANGES; i++) {
                h.sql("INSERT INTO orders VALUES (" + i + ", " + (i % 7) + ", 'new', " + i + ".5, now())");
                if (i % 5 == 0) {
                    h.sql("UPDATE orders SET status = 'paid', total = total + 1 WHERE id = " + (i - 3));
                }
                if (i % 7 == 0) {
                    h.sql("DELETE FROM orders WHERE id = " + (i - 5));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitOrders(PipelineHarness h, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (h.clickHouseRows("orders").size() >= atLeast) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + atLeast + " orders reached ClickHouse within 60 s");
    }

    /**
     * Mid-stream means after the runner finished its initial snapshot and stored a streaming position: stopped
     * before that, Debezium takes a new snapshot on restart, and a snapshot cannot tell the sinks about rows deleted
     * in between (a documented limit). A seed row, streamed and stored, marks that point.
     */
    private static void awaitStreaming(PipelineHarness h) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        // The position is stored when a batch finishes after the flush interval: keep a trickle of seed rows going.
        for (int seed = -1; System.nanoTime() < deadline; seed--) {
            if (h.streamingPositionStored()) {
                return;
            }
            h.sql("INSERT INTO orders VALUES (" + seed + ", 0, 'seed', 0, now())");
            Thread.sleep(300);
        }
        throw new AssertionError("the runner stored no streaming position in " + h.offsetFile() + " within 90 s");
    }

    private static Process startRunner(Path config, Path log) throws Exception {
        return RunnerProcess.start(config, log);
    }
}
