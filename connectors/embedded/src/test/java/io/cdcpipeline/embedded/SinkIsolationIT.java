package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.StackOutage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One runner, both sinks, ClickHouse stopped mid-stream: Elasticsearch keeps receiving every change during the
 * outage (each sink writes from its own buffer; the runner once handed each batch to the sinks in turn and waited
 * for both, so search froze with analytics), and once ClickHouse is back both copies equal Postgres. With a buffer
 * bound too small for the outage, the source pauses instead: search gets no further than what the stuck sink's
 * buffer lets through, and nothing is lost either way.
 */
@RealStack
class SinkIsolationIT {

    @Test
    void aSinkThatIsDownDoesNotHoldTheOtherBack(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = harness(stack, pg, ch, es, work);
        long[] freshWithin = new long[1];
        long compared = duringAClickHouseOutage(h, pipeline -> {
            long start = System.nanoTime();
            Await.until(() -> h.elasticsearchDocs("customers").size() == 150, 60,
                    "every customer in Elasticsearch while ClickHouse is down");
            freshWithin[0] = (System.nanoTime() - start) / 1_000_000;
        });
        ReliabilityCase.fault("ClickHouse down under load (one runner, both sinks)")
                .expected("Elasticsearch keeps receiving every change; ClickHouse catches up once back; nothing dead-lettered")
                .observed("all 100 customers inserted during the outage searchable " + freshWithin[0]
                        + " ms after the last insert, while ClickHouse was still down; both copies equal after it")
                .rowsCompared(compared).record();
        ReliabilityCase.defect("One sink's outage froze the other sink")
                .expected("each sink writes from its own bounded buffer; the healthy one stays fresh")
                .observed("search fresh during the ClickHouse outage (the runner used to hand each batch to both "
                        + "sinks in turn and wait)")
                .rowsCompared(compared).record();
    }

    @Test
    void aFullBufferPausesTheSourceAndLosesNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = harness(stack, pg, ch, es, work);
        h.extraConfig.put(RunnerConfig.SINK_BUFFER_MAX_BYTES, "1"); // one batch at a time per sink
        int[] searchable = new int[1];
        long compared = duringAClickHouseOutage(h, pipeline -> {
            Thread.sleep(10_000);
            searchable[0] = h.elasticsearchDocs("customers").size();
            assertThat(searchable[0]).as("search waits with the source").isLessThan(150);
        });
        ReliabilityCase.fault("Sink buffer full during a ClickHouse outage (buffer.max.bytes=1)")
                .expected("the source pauses; nothing is dropped; both copies catch up after the outage")
                .observed("search held " + searchable[0] + " of 150 customers 10 s into the outage (source paused); "
                        + "both copies equal after it, no dead letters")
                .rowsCompared(compared).record();
    }

    @FunctionalInterface
    private interface Check {
        void during(EmbeddedPipeline pipeline) throws Exception;
    }

    /**
     * Runs the pipeline to equal copies, stops ClickHouse, inserts 100 customers in steps and runs {@code check},
     * then brings ClickHouse back: both copies end equal to Postgres, the runner never failed, nothing dead-lettered.
     */
    private static long duringAClickHouseOutage(PipelineHarness h, Check check) throws Exception {
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            StackOutage.stop("clickhouse");
            try {
                insertInSteps(h, 51, 150);
                check.during(pipeline);
                assertThat(pipeline.failure()).isNull();
            } finally {
                StackOutage.restore();
            }
            long compared = h.awaitCopiesEqualSource(180);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            return compared;
        }
    }

    static PipelineHarness harness(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "INSERT INTO customers (id, email, name) SELECT g, 'c' || g || '@x', 'n' || g "
                + "FROM generate_series(1, 50) g");
        h.extraConfig.put(RunnerConfig.RETRY_BACKOFF_MS, "500");
        return h;
    }

    /** Ten transactions of ten customers, a little apart: several batches for the engine. */
    static void insertInSteps(PipelineHarness h, int from, int to) throws Exception {
        for (int start = from; start <= to; start += 10) {
            h.sql("INSERT INTO customers (id, email, name) SELECT g, 'c' || g || '@x', 'n' || g FROM generate_series("
                    + start + ", " + Math.min(to, start + 9) + ") g");
            Thread.sleep(300);
        }
    }
}
