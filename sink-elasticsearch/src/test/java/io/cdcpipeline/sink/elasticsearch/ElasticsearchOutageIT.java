package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.StackOutage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * Elasticsearch stopped for 30 s in the middle of a stream: the writer keeps being fed as Connect feeds it, never
 * dies, reports no offset past what Elasticsearch acknowledged while it is away, and ends with every document.
 */
@RealStack
class ElasticsearchOutageIT {

    @Test
    void elasticsearchStoppedMidStreamLosesNothing(StackEndpoints stack, PostgresTestDatabase pg, ElasticsearchTestIndex es)
            throws Exception {
        List<SinkRecord> records = ElasticsearchSinkIT.captureItems(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            ElasticsearchChangeSink sink = h.sink(Map.of(ElasticsearchSinkConfig.RETRY_MAX_ATTEMPTS, "3",
                    ElasticsearchSinkConfig.BATCH_MAX_ACTIONS, "100"));
            List<SinkRecord> first = records.subList(0, 500);
            sink.put(first);
            assertThat(sink.preCommit(EsHarness.offsetsAfter(first))).isEqualTo(EsHarness.offsetsAfter(first));

            StackOutage.stop("elasticsearch");
            long stoppedAt = System.currentTimeMillis();
            CompletableFuture<Void> restart = null;
            try {
                int from = 500;
                // Fed like Connect for 30 s: batches are accepted until the buffer is full, then refused (retriable).
                while (System.currentTimeMillis() - stoppedAt < 30_000) {
                    if (from < 900) {
                        try {
                            sink.put(records.subList(from, from + 50));
                            from += 50;
                        } catch (RetriableException e) {
                            // Connect waits and delivers the same batch again
                        }
                    }
                    Thread.sleep(500);
                }
                assertThat(sink.preCommit(EsHarness.offsetsAfter(records.subList(0, from))))
                        .as("offsets reported while Elasticsearch is down").isEqualTo(EsHarness.offsetsAfter(first));
                restart = CompletableFuture.runAsync(StackOutage::restore);
                EsHarness.deliverLikeConnect(sink, records.subList(from, records.size()));
            } finally {
                if (restart == null) {
                    StackOutage.restore();
                } else {
                    restart.join();
                }
            }
            EsHarness.awaitAcknowledged(sink, records, 180);
            assertThat(h.deadLetters).isEmpty();
            assertThat(h.documents("items")).hasSize(ElasticsearchSinkIT.countRows(pg));
            sink.close();
            ReliabilityCase.fault("Elasticsearch stopped mid-stream and restarted (Connect sink task)").mode("Connect")
                    .expected("offsets stop at what Elasticsearch acknowledged; batches come again; nothing lost or "
                            + "dead-lettered")
                    .observed("offsets held during the outage; every record acknowledged after it; every row a "
                            + "document; 0 dead letters")
                    .rowsCompared(ElasticsearchSinkIT.countRows(pg)).record();
        }
    }
}
