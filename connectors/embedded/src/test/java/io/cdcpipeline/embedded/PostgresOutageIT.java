package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.StackOutage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source goes away under a running load: Postgres restarted with a fast shutdown, and Postgres crashed
 * (immediate shutdown, recovery at its next start) and unreachable for 60 s. The runner rides it out by itself
 * (Debezium reconnects and resumes from the slot), and once the load stops both copies equal Postgres.
 */
@RealStack
class PostgresOutageIT {

    @Test
    void aFastRestartMidStreamLosesNothing(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        long compared = underLoad(stack, pg, ch, es, work, () -> {
            StackOutage.stop("postgres");
            StackOutage.restore();
        });
        ReliabilityCase.fault("Postgres restarted (fast shutdown) mid-stream under load")
                .expected("the runner reconnects by itself and resumes from the slot; both copies equal Postgres")
                .observed("no runner failure; both copies equal Postgres after the load").rowsCompared(compared).record();
    }

    @Test
    void aCrashAndSixtySecondsUnreachableLoseNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        long compared = underLoad(stack, pg, ch, es, work, () -> {
            StackOutage.crashPostgres();
            Thread.sleep(60_000);
            StackOutage.restore();
        });
        ReliabilityCase.fault("Postgres crashed (immediate shutdown) and unreachable for 60 s, under load")
                .expected("the runner waits and reconnects by itself once Postgres has recovered; nothing lost")
                .observed("no runner failure; both copies equal Postgres after the load").rowsCompared(compared).record();
    }

    @FunctionalInterface
    private interface Outage {
        void run() throws Exception;
    }

    private static long underLoad(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, Path work, Outage outage) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "INSERT INTO customers (id, email) SELECT g, 'c' || g FROM generate_series(1, 50) g");
        h.extraConfig.put(RunnerConfig.RETRY_BACKOFF_MS, "500");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger committed = new AtomicInteger();
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> writeUntil(pg, stop, committed));
            Thread.sleep(2_000);
            try {
                outage.run();
            } finally {
                StackOutage.restore();
            }
            Thread.sleep(3_000);
            stop.set(true);
            load.get(60, TimeUnit.SECONDS);
            assertThat(committed.get()).as("orders committed by the load").isGreaterThan(20);
            long compared = h.awaitCopiesEqualSource(180);
            assertThat(pipeline.failure()).as("the runner's failure").isNull();
            h.assertNoDeadLetters();
            return compared;
        }
    }

    /**
     * An order and an update of a customer per transaction, every 50 ms; while Postgres is away, the same order is
     * tried again on a new connection (ON CONFLICT: a commit whose answer was lost is not written twice).
     */
    private static void writeUntil(PostgresTestDatabase pg, AtomicBoolean stop, AtomicInteger committed) {
        int next = 1;
        while (!stop.get()) {
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                conn.setAutoCommit(false);
                while (!stop.get()) {
                    st.execute("INSERT INTO orders VALUES (" + next + ", 1, 'new', " + next + ", now()) "
                            + "ON CONFLICT (id) DO NOTHING");
                    st.execute("UPDATE customers SET name = 'order " + next + "' WHERE id = " + (1 + next % 50));
                    conn.commit();
                    committed.incrementAndGet();
                    next++;
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
