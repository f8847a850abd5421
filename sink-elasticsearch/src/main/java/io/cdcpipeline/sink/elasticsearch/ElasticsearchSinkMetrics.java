package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.sink.SinkMetrics;
import java.util.List;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The Elasticsearch sink's metrics: {@code documents-written}, {@code documents-deleted}, {@code stale-skipped}
 * (409s of replays), {@code retries}, {@code dead-lettered} (totals and rates), {@code bulk-requests-total} with
 * {@code bulk-latency-*}, {@code buffered-records}, and per index (alias) {@code index-records-written-total},
 * {@code index-source-watermark-ms} (the newest source commit time applied), {@code index-pending-records} and
 * {@code index-oldest-pending-source-ms}.
 */
final class ElasticsearchSinkMetrics implements AutoCloseable {

    private final SinkMetrics metrics;
    private final SinkMetrics.Counter written;
    private final SinkMetrics.Counter deleted;
    private final SinkMetrics.Counter stale;
    private final SinkMetrics.Counter retries;
    private final SinkMetrics.Counter staleRemoved;

    ElasticsearchSinkMetrics(PluginMetrics pluginMetrics) {
        metrics = new SinkMetrics(pluginMetrics, "index", "bulk-requests", "bulk");
        written = metrics.counter("documents-written", "Documents indexed");
        deleted = metrics.counter("documents-deleted", "Documents deleted (versioned tombstones)");
        stale = metrics.counter("stale-skipped", "Writes skipped because the document held a newer version (replays)");
        retries = metrics.counter("retries", "Bulk requests retried after 429, 5xx or a network failure");
        staleRemoved = metrics.counter("snapshot-stale-removed", "Documents removed after a snapshot because it did "
                + "not send them again (deleted in Postgres while no position was kept)");
    }

    void staleRemoved(long documents) {
        staleRemoved.add(documents);
    }

    SinkMetrics sinkMetrics() {
        return metrics;
    }

    void applied(List<DocumentAction> actions, int staleCount) {
        for (DocumentAction action : actions) {
            (action.isDelete() ? deleted : written).increment();
            metrics.applied(action.alias(), 1, action.sourceTsMs());
        }
        stale.add(staleCount);
    }

    void bulk(long nanos) {
        metrics.request(nanos);
    }

    void retried() {
        retries.increment();
    }


    @Override
    public void close() {
        metrics.close();
    }
}
