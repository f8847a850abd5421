package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.Test;

/**
 * Blocks an operator or Elasticsearch itself puts on an index mid-stream: a write block ({@code index.blocks.write},
 * 403 cluster_block_exception) and the block the flood-stage disk watermark sets
 * ({@code index.blocks.read_only_allow_delete}, 429). Neither is the records' fault: the sink holds them, reports no
 * offset past what was indexed, dead-letters nothing, and indexes everything once the block is lifted.
 */
@RealStack
class ElasticsearchBlocksIT {

    @Test
    void writeAndDiskWatermarkBlocksHoldWritesUntilLifted(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = ElasticsearchSinkIT.captureItems(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            ElasticsearchChangeSink sink = h.sink(Map.of(ElasticsearchSinkConfig.RETRY_MAX_ATTEMPTS, "3",
                    ElasticsearchSinkConfig.RETRY_BACKOFF_MS, "50", ElasticsearchSinkConfig.BATCH_MAX_ACTIONS, "100"));
            List<SinkRecord> first = records.subList(0, 300);
            sink.put(first);
            assertThat(sink.preCommit(EsHarness.offsetsAfter(first))).isEqualTo(EsHarness.offsetsAfter(first));

            int from = 300;
            for (String block : List.of("index.blocks.write", "index.blocks.read_only_allow_delete")) {
                setBlock(h, block, "true");
                List<SinkRecord> blocked = records.subList(from, from + 100);
                try {
                    try {
                        sink.put(blocked);
                    } catch (RetriableException e) {
                        // the buffer is full: Connect would deliver the batch again
                    }
                    Thread.sleep(3_000);
                    assertThat(sink.preCommit(EsHarness.offsetsAfter(records.subList(0, from + 100))))
                            .as("offsets while %s is set", block)
                            .isEqualTo(EsHarness.offsetsAfter(records.subList(0, from)));
                    assertThat(h.deadLetters).as("dead letters while %s is set", block).isEmpty();
                } finally {
                    setBlock(h, block, "null");
                }
                EsHarness.deliverLikeConnect(sink, blocked);
                from += 100;
                EsHarness.awaitAcknowledged(sink, records.subList(0, from), 60);
            }
            EsHarness.deliverLikeConnect(sink, records.subList(from, records.size()));
            EsHarness.awaitAcknowledged(sink, records, 60);
            assertThat(h.deadLetters).isEmpty();
            assertThat(h.documents("items")).hasSize(ElasticsearchSinkIT.countRows(pg));
            sink.close();
            for (String block : List.of("index.blocks.write", "index.blocks.read_only_allow_delete")) {
                ReliabilityCase.fault("Elasticsearch index block mid-stream: " + block
                                + (block.contains("allow_delete") ? " (what the flood-stage disk watermark sets)" : ""))
                        .mode("both")
                        .expected("writes held and retried, no offset past what was indexed, nothing dead-lettered; "
                                + "everything indexed once the block is lifted")
                        .observed("offsets held at the last indexed record for 3 s of refusals, 0 dead letters; "
                                + "every row a document after the block was lifted")
                        .rowsCompared(ElasticsearchSinkIT.countRows(pg)).record();
            }
        }
    }

    private static void setBlock(EsHarness h, String block, String value) throws Exception {
        Request request = new Request("PUT", "/" + h.alias("items") + "/_settings");
        request.setJsonEntity("{\"" + block + "\": " + value + "}");
        h.restClient().performRequest(request);
    }
}
