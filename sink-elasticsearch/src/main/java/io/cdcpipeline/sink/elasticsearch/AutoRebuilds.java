package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.RetriableException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the sink starts by itself when a column's type changes in a way the index mapping cannot take (an
 * integer column become text, say): Elasticsearch never changes a field's type in place. The new index version gets
 * the new field types ({@link IndexRebuild}), the table's writes go to it from then on (the old index, whose alias
 * searches keep using, stays as it was), and Debezium is asked for an incremental snapshot of the table through the
 * signal table ({@link TableResync}). Once that is complete ({@link ResyncedRebuilds}) the alias moves to the new
 * index in one atomic step. A restart in between joins the rebuild it finds and asks for the snapshot again.
 */
final class AutoRebuilds {

    private static final Logger LOG = LoggerFactory.getLogger(AutoRebuilds.class);

    /** A running rebuild: the index the table's writes go to until the swap. */
    private record Running(IndexRebuild rebuild, String index) {
        @Override
        public String toString() {
            return index;
        }
    }

    private final ElasticsearchSinkConfig config;
    private final ElasticsearchClient client;
    private final RestClient rest;
    private final TableResync resync;
    private final ResyncedRebuilds<Running> running;

    AutoRebuilds(ElasticsearchSinkConfig config, ElasticsearchClient client,
            RestClient rest, TableResync resync) {
        this.config = config;
        this.client = client;
        this.rest = rest;
        this.resync = resync;
        this.running = new ResyncedRebuilds<>(config, LOG);
    }

    /** Whether the sink can rebuild by itself: it reaches the source's signal table. */
    boolean enabled() {
        return resync.automatic();
    }

    /**
     * Starts (or joins, after a restart) the rebuild of the table's index with the field types of {@code properties};
     * returns the index that the table's writes go to until the swap.
     */
    String begin(TableId table, String alias, Map<String, Object> properties, String reason) {
        Running r = running.get(table);
        if (r != null) {
            return r.index();
        }
        IndexRebuild rebuild = new IndexRebuild(config, client, rest, alias);
        try {
            String index = rebuild.resumeOrStart(table, properties);
            resync.request(table, alias, reason + "; rebuilding " + alias + " into " + index + " (searches use "
                    + alias + " as it was until the swap)");
            running.add(table, new Running(rebuild, index));
            return index;
        } catch (IOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
            throw new RetriableException("starting the rebuild of " + alias + " for " + table + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** The running rebuilds, which hold back offsets where Connect may move partitions. */
    ResyncedRebuilds<?> running() {
        return running;
    }

    void handOver(TableId table) {
        running.handOver(table);
    }

    /** A notification from the stream: an incremental snapshot read the whole of a table being rebuilt. */
    void onNotification(SnapshotNotification notification) {
        running.onNotification(notification);
    }

    /** Swaps the alias of each rebuild that is complete; returns the tables whose index must be prepared again. */
    List<TableId> completeDue() {
        List<TableId> swapped = new ArrayList<>();
        for (TableId table : running.due(r -> r.rebuild().newCount())) {
            Running r = running.get(table);
            try {
                r.rebuild().swap(false);
                running.completed(table, "the old index is kept: delete it when no longer needed");
                swapped.add(table);
            } catch (IOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
                LOG.warn("Could not swap in the rebuild of {} yet: {}", r.rebuild().alias(), e.getMessage());
            }
        }
        return swapped;
    }
}
