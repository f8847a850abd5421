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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sink servers down under a load, as the runner sees it: each and then both down for 60 s (within
 * {@code retry.timeout.ms}: the runner waits, the healthy copy stays fresh, and both catch up), and each down for longer than {@code retry.timeout.ms}: the runner stops with a
 * message that names the sink and says the position is kept, and a plain restart once the server is back delivers
 * everything, with nothing dead-lettered.
 */
@RealStack
class SinkOutageIT {

    /**
     * ClickHouse, Elasticsearch, then both, down for 60 s while customers keep arriving. With one down, the other
     * copy is timed after every step: each sink writes from its own buffer, so the healthy copy stays fresh.
     */
    @ParameterizedTest(name = "{0} down for 60 s")
    @ValueSource(strings = {"clickhouse", "elasticsearch", "clickhouse,elasticsearch"})
    void sinksDownForSixtySecondsCatchUpWithoutAStop(String down, StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        List<String> servers = List.of(down.split(","));
        String healthy = servers.size() == 2 ? null : servers.contains("clickhouse") ? "elasticsearch" : "clickhouse";
        PipelineHarness h = SinkIsolationIT.harness(stack, pg, ch, es, work);
        long compared;
        long slowest = 0;
        int inserted = 50;
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            servers.forEach(StackOutage::stop);
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < until) {
                    long step = System.nanoTime();
                    h.sql("INSERT INTO customers (id, email, name) SELECT g, 'c' || g || '@x', 'n' || g "
                            + "FROM generate_series(" + (inserted + 1) + ", " + (inserted + 10) + ") g");
                    long committed = System.nanoTime();
                    inserted += 10;
                    if (healthy != null) {
                        int expected = inserted;
                        Await.until(() -> customers(h, healthy) == expected, 30,
                                healthy + " holds every customer while the other sink is down");
                        slowest = Math.max(slowest, (System.nanoTime() - committed) / 1_000_000);
                    }
                    Thread.sleep(Math.max(0, 2_000 - (System.nanoTime() - step) / 1_000_000));
                }
                assertThat(pipeline.failure()).as("the runner after 60 s of " + down + " down").isNull();
            } finally {
                StackOutage.restore();
            }
            compared = h.awaitCopiesEqualSource(180);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
        }
        String observed = "no runner failure; both copies equal Postgres after the outage, 0 dead letters";
        if (healthy == null) {
            ReliabilityCase.fault("ClickHouse and Elasticsearch both down for 60 s under load")
                    .expected("the runner waits (within retry.timeout.ms); both copies catch up; nothing dead-lettered")
                    .observed(observed).rowsCompared(compared).record();
        } else {
            ReliabilityCase.fault(capitalized(servers.get(0)) + " down for 60 s under load")
                    .expected("the runner waits (within retry.timeout.ms); " + capitalized(healthy) + " stays fresh "
                            + "meanwhile; the copy that was down catches up; nothing dead-lettered")
                    .observed(capitalized(healthy) + " held each step's 10 new customers at most " + slowest
                            + " ms after their commit throughout the outage (" + (inserted - 50) + " customers); "
                            + observed)
                    .rowsCompared(compared).record();
        }
    }

    private static int customers(PipelineHarness h, String sink) throws Exception {
        return sink.equals("clickhouse") ? h.clickHouseRows("customers").size()
                : h.elasticsearchDocs("customers").size();
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
