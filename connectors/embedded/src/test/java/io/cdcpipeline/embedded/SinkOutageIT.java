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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sink servers down under a load, as the runner sees it: both down for 60 s (within {@code retry.timeout.ms}: the
 * runner waits and both catch up), and each down for longer than {@code retry.timeout.ms}: the runner stops with a
 * message that names the sink and says the position is kept, and a plain restart once the server is back delivers
 * everything, with nothing dead-lettered.
 */
@RealStack
class SinkOutageIT {

    @Test
    void bothSinksDownForSixtySecondsCatchUpWithoutAStop(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = SinkIsolationIT.harness(stack, pg, ch, es, work);
        long compared;
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            StackOutage.stop("clickhouse");
            StackOutage.stop("elasticsearch");
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int id = 51;
                while (System.nanoTime() < until) {
                    SinkIsolationIT.insertInSteps(h, id, id + 9);
                    id += 10;
                    Thread.sleep(2_000);
                }
                assertThat(pipeline.failure()).as("the runner after 60 s of both sinks down").isNull();
            } finally {
                StackOutage.restore();
            }
            compared = h.awaitCopiesEqualSource(180);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
        }
        ReliabilityCase.fault("ClickHouse and Elasticsearch both down for 60 s under load")
                .expected("the runner waits (within retry.timeout.ms); both copies catch up; nothing dead-lettered")
                .observed("no runner failure; both copies equal Postgres after the outage, 0 dead letters")
                .rowsCompared(compared).record();
    }

    @Test
    void clickHouseDownPastTheRetryTimeoutStopsTheRunnerAndARestartResumes(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work)
            throws Exception {
        pastTheRetryTimeout(SinkIsolationIT.harness(stack, pg, ch, es, work), List.of("clickhouse"), "clickhouse");
    }

    @Test
    void elasticsearchDownPastTheRetryTimeoutStopsTheRunnerAndARestartResumes(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work)
            throws Exception {
        pastTheRetryTimeout(SinkIsolationIT.harness(stack, pg, ch, es, work), List.of("elasticsearch"),
                "elasticsearch");
    }

    private static void pastTheRetryTimeout(PipelineHarness h, List<String> servers, String sink) throws Exception {
        h.extraConfig.put(RunnerConfig.RETRY_TIMEOUT_MS, "5000");
        String failure;
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            servers.forEach(StackOutage::stop);
            try {
                SinkIsolationIT.insertInSteps(h, 51, 150);
                assertThat(pipeline.awaitStop(120, TimeUnit.SECONDS)).as("the runner stops").isTrue();
                failure = String.valueOf(pipeline.failure());
                assertThat(failure).contains("sink " + sink + " could not write a batch")
                        .contains("retry.timeout.ms (5000 ms)")
                        .contains("nothing is lost: start it again once the server is back");
            } finally {
                StackOutage.restore();
            }
        }
        h.sql("INSERT INTO customers (id, email) VALUES (151, 'after the restart')");
        long compared;
        try (EmbeddedPipeline pipeline = h.start()) {
            compared = h.awaitCopiesEqualSource(180);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
        }
        ReliabilityCase.fault(capitalized(sink) + " down for longer than retry.timeout.ms")
                .expected("a clear stop naming the sink and saying the position is kept; a plain restart once the "
                        + "server is back delivers everything; nothing dead-lettered")
                .observed("stopped: '" + failure.substring(failure.indexOf("sink " + sink), failure.indexOf(" ms)") + 4)
                        + ": ... nothing is lost: start it again once the server is back'; after the restart both "
                        + "copies equal Postgres, 0 dead letters")
                .rowsCompared(compared).record();
    }

    private static String capitalized(String sink) {
        return sink.equals("clickhouse") ? "ClickHouse" : "Elasticsearch";
    }
}
