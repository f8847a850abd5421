package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.SideElasticsearch;
import io.cdcpipeline.testkit.StackEndpoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * 429s provoked for real: a second node with one write thread and a write queue of one, fed by four bulk requests in
 * flight. Elasticsearch rejects shard writes with 429; the sink retries them with backoff, never dies, dead-letters
 * nothing, and ends with every document.
 */
@RealStack
class ElasticsearchBackpressureIT {

    @Test
    void rejectionsFromATinyWriteQueueAreRetriedUntilEverythingLands(StackEndpoints stack, PostgresTestDatabase pg)
            throws Exception {
        List<SinkRecord> records = ElasticsearchSinkIT.captureItems(stack, pg);
        try (SideElasticsearch node = SideElasticsearch.start("tiny-write-queue", 29210, 29310,
                "thread_pool.write.size=1", "thread_pool.write.queue_size=1");
                Metrics metrics = new Metrics()) {
            Map<String, String> props = new HashMap<>();
            props.put(ElasticsearchSinkConfig.URLS, node.url());
            props.put(ElasticsearchSinkConfig.INDEX_NAME_FORMAT, "bp_${table}");
            props.put(ElasticsearchSinkConfig.BATCH_MAX_ACTIONS, "50");
            props.put(ElasticsearchSinkConfig.MAX_IN_FLIGHT, "8");
            props.put(ElasticsearchSinkConfig.RETRY_MAX_ATTEMPTS, "50");
            props.put(ElasticsearchSinkConfig.RETRY_BACKOFF_MS, "20");
            props.put(ElasticsearchSinkConfig.RETRY_BACKOFF_MAX_MS, "500");
            props.put(ElasticsearchSinkConfig.INDEX_SETTINGS, "{\"number_of_shards\": 3, \"number_of_replicas\": 0}");
            ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
            List<Throwable> deadLetters = new ArrayList<>();
            ElasticsearchSinkMetrics sinkMetrics = new ElasticsearchSinkMetrics(
                    new PluginMetricsImpl(metrics, Map.of("connector", "bp", "task", "0")));
            try (ElasticsearchConnection connection = new ElasticsearchConnection(config);
                    ElasticsearchChangeSink sink = new ElasticsearchChangeSink(connection, config,
                            (record, reason) -> deadLetters.add(reason), sinkMetrics)) {
                for (int from = 0; from < records.size(); from += 500) {
                    sink.put(records.subList(from, Math.min(records.size(), from + 500)));
                }
                Map<TopicPartition, OffsetAndMetadata> all = EsHarness.offsetsAfter(records);
                assertThat(sink.preCommit(all)).isEqualTo(all);
                connection.client().indices().refresh(r -> r.index("bp_items"));
                assertThat(connection.client().count(c -> c.index("bp_items")).count())
                        .isEqualTo(ElasticsearchSinkIT.countRows(pg));
                double retries = metrics.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("retries-total"))
                        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
                assertThat(retries).as("bulk requests retried after 429s").isPositive();
            } finally {
                sinkMetrics.close();
            }
            assertThat(deadLetters).isEmpty();
            ReliabilityCase.fault("Elasticsearch 429 storm (write thread pool of 1, queue of 1, 8 requests in flight)")
                    .mode("both")
                    .expected("rejected items retried with backoff until all land; nothing dead-lettered")
                    .observed("every record acknowledged, every row a document, retries-total > 0, 0 dead letters")
                    .rowsCompared(ElasticsearchSinkIT.countRows(pg)).record();
        }
    }
}
