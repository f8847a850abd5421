package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
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
        duringAClickHouseOutage(h, pipeline -> Await.until(() -> h.elasticsearchDocs("customers").size() == 150, 60,
                "every customer in Elasticsearch while ClickHouse is down"));
    }

    @Test
    void aFullBufferPausesTheSourceAndLosesNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = harness(stack, pg, ch, es, work);
        h.extraConfig.put(RunnerConfig.SINK_BUFFER_MAX_BYTES, "1"); // one batch at a time per sink
        duringAClickHouseOutage(h, pipeline -> {
            Thread.sleep(10_000);
            assertThat(h.elasticsearchDocs("customers").size()).as("search waits with the source").isLessThan(150);
        });
    }

    @FunctionalInterface
    private interface Check {
        void during(EmbeddedPipeline pipeline) throws Exception;
    }

    /**
     * Runs the pipeline to equal copies, stops ClickHouse, inserts 100 customers in steps and runs {@code check},
     * then brings ClickHouse back: both copies end equal to Postgres, the runner never failed, nothing dead-lettered.
     */
    private static void duringAClickHouseOutage(PipelineHarness h, Check check) throws Exception {
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
            h.awaitCopiesEqualSource(180);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
        }
    }

    private static PipelineHarness harness(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "INSERT INTO customers (id, email, name) SELECT g, 'c' || g || '@x', 'n' || g "
                + "FROM generate_series(1, 50) g");
        h.extraConfig.put(RunnerConfig.RETRY_BACKOFF_MS, "500");
        return h;
    }

    /** Ten transactions of ten customers, a little apart: several batches for the engine. */
    private static void insertInSteps(PipelineHarness h, int from, int to) throws Exception {
        for (int start = from; start <= to; start += 10) {
            h.sql("INSERT INTO customers (id, email, name) SELECT g, 'c' || g || '@x', 'n' || g FROM generate_series("
                    + start + ", " + Math.min(to, start + 9) + ") g");
            Thread.sleep(300);
        }
    }
}
