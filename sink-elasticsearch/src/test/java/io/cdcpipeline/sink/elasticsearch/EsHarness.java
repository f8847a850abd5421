package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.elasticsearch.client.RestClient;

/**
 * The sink's change-event writer against the stack's Elasticsearch node, with aliases named after the test's
 * unique index name ({@code <name>_<table>}), dead letters kept for asserts and real plugin metrics.
 */
final class EsHarness implements AutoCloseable {

    record DeadLetter(SinkRecord record, Throwable reason) {
    }

    final ElasticsearchTestIndex index;
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final Metrics metrics = new Metrics();
    private final Map<String, String> base = new HashMap<>();
    private final ElasticsearchConnection connection;
    private final ElasticsearchSinkMetrics sinkMetrics =
            new ElasticsearchSinkMetrics(new PluginMetricsImpl(metrics, Map.of("connector", "it", "task", "0")));

    EsHarness(ElasticsearchTestIndex index) {
        this.index = index;
        base.put(ElasticsearchSinkConfig.URLS, index.url());
        base.put(ElasticsearchSinkConfig.INDEX_NAME_FORMAT, index.name() + "_${table}");
        base.put(ElasticsearchSinkConfig.RETRY_BACKOFF_MS, "50");
        base.put(ElasticsearchSinkConfig.RETRY_BACKOFF_MAX_MS, "1000");
        connection = new ElasticsearchConnection(new ElasticsearchSinkConfig(base));
    }

    ElasticsearchChangeSink sink(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(base);
        props.putAll(overrides);
        return new ElasticsearchChangeSink(connection, new ElasticsearchSinkConfig(props),
                (record, reason) -> deadLetters.add(new DeadLetter(record, reason)), sinkMetrics);
    }

    /** Writes through a fresh writer and commits; returns what it acknowledged. */
    Map<TopicPartition, OffsetAndMetadata> write(Collection<SinkRecord> records, Map<String, String> overrides) {
        try (ElasticsearchChangeSink sink = sink(overrides)) {
            sink.put(records);
            return sink.preCommit(offsetsAfter(records));
        }
    }

    /**
     * Puts the records in chunks of 50 as Connect would: a chunk the sink gives back (its buffer full while the
     * target refuses writes) comes again after a pause, for up to 180 s.
     */
    static void deliverLikeConnect(ElasticsearchChangeSink sink, List<SinkRecord> records) throws Exception {
        for (int from = 0; from < records.size(); from += 50) {
            List<SinkRecord> chunk = records.subList(from, Math.min(records.size(), from + 50));
            long deadline = System.currentTimeMillis() + 180_000;
            while (true) {
                try {
                    sink.put(chunk);
                    break;
                } catch (RetriableException e) {
                    assertThat(System.currentTimeMillis()).as("delivering while Elasticsearch refuses writes")
                            .isLessThan(deadline);
                    Thread.sleep(500);
                }
            }
        }
    }

    /** Waits until the sink reports every offset of the records as written, then asserts it. */
    static void awaitAcknowledged(ElasticsearchChangeSink sink, List<SinkRecord> records, int seconds)
            throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!sink.preCommit(offsetsAfter(records)).equals(offsetsAfter(records))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        assertThat(sink.preCommit(offsetsAfter(records))).isEqualTo(offsetsAfter(records));
    }

    static Map<TopicPartition, OffsetAndMetadata> offsetsAfter(Collection<SinkRecord> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (SinkRecord record : records) {
            offsets.merge(new TopicPartition(record.topic(), record.kafkaPartition()),
                    new OffsetAndMetadata(record.kafkaOffset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return offsets;
    }

    ElasticsearchClient client() {
        return connection.client();
    }

    RestClient restClient() {
        return connection.restClient();
    }

    String alias(String table) {
        return index.name() + "_" + table;
    }

    /** Every document of a table's alias after a refresh: id to "version|source". */
    @SuppressWarnings("rawtypes")
    Map<String, String> documents(String table) throws IOException {
        client().indices().refresh(r -> r.index(alias(table)));
        SearchResponse<Map> response = client().search(s -> s.index(alias(table)).size(10_000).version(true), Map.class);
        Map<String, String> docs = new TreeMap<>();
        for (Hit<Map> hit : response.hits().hits()) {
            docs.put(hit.id(), hit.version() + "|" + hit.source());
        }
        return docs;
    }

    double metric(String name) {
        for (Map.Entry<MetricName, ? extends Metric> m : metrics.metrics().entrySet()) {
            if (m.getKey().name().equals(name)) {
                return ((Number) m.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

    /** A metric with these tags (among others), or 0 when it was never registered. */
    double metric(String name, Map<String, String> tags) {
        for (Map.Entry<MetricName, ? extends Metric> m : metrics.metrics().entrySet()) {
            if (m.getKey().name().equals(name) && m.getKey().tags().entrySet().containsAll(tags.entrySet())) {
                return ((Number) m.getValue().metricValue()).doubleValue();
            }
        }
        return 0;
    }

    @Override
    public void close() {
        sinkMetrics.close();
        metrics.close();
        connection.close();
    }
}
