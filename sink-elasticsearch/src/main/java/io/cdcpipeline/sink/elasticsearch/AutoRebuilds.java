package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * signal table ({@link TableResync}). Once the snapshot has read the whole table (its completion notification, where
 * the runtime passes notifications on, as the embedded runner does) or the new index holds as many documents as
 * the table has rows at two looks in a row, the alias moves to the new index in one atomic step. A restart in
 * between joins the rebuild it finds and asks for the snapshot again.
 */
final class AutoRebuilds {

    private static final Logger LOG = LoggerFactory.getLogger(AutoRebuilds.class);
    private static final long CHECK_EVERY_MS = 5_000;

    private final ElasticsearchSinkConfig config;
    private final co.elastic.clients.elasticsearch.ElasticsearchClient client;
    private final RestClient rest;
    private final TableResync resync;
    private final Map<TableId, Running> running = new LinkedHashMap<>();

    private static final class Running {
        final IndexRebuild rebuild;
        final String index;
        final long startedAt = System.currentTimeMillis();
        boolean scanned;
        int equalInARow;
        long checkedAt;

        Running(IndexRebuild rebuild, String index) {
            this.rebuild = rebuild;
            this.index = index;
        }
    }

    AutoRebuilds(ElasticsearchSinkConfig config, co.elastic.clients.elasticsearch.ElasticsearchClient client,
            RestClient rest, TableResync resync) {
        this.config = config;
        this.client = client;
        this.rest = rest;
        this.resync = resync;
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
            return r.index;
        }
        IndexRebuild rebuild = new IndexRebuild(config, client, rest, alias);
        try {
            String index = rebuild.resumeOrStart(table, properties);
            resync.request(table, alias, reason + "; rebuilding " + alias + " into " + index + " (searches use "
                    + alias + " as it was until the swap)");
            running.put(table, new Running(rebuild, index));
            return index;
        } catch (IOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
            throw new RetriableException("starting the rebuild of " + alias + " for " + table + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** A notification from the stream: an incremental snapshot read the whole of a table being rebuilt. */
    void onNotification(SnapshotNotification notification) {
        Running r = notification.isIncrementalTableScanCompleted() ? running.get(notification.table()) : null;
        if (r != null) {
            r.scanned = true;
        }
    }

    /** Swaps the alias of each rebuild that is complete; returns the tables whose index must be prepared again. */
    List<TableId> completeDue() {
        List<TableId> swapped = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Iterator<Map.Entry<TableId, Running>> it = running.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TableId, Running> entry = it.next();
            Running r = entry.getValue();
            if (now - r.checkedAt < CHECK_EVERY_MS && !r.scanned) {
                continue;
            }
            r.checkedAt = now;
            try {
                if (!r.scanned) {
                    long documents = r.rebuild.newCount();
                    long rows = rows(entry.getKey());
                    r.equalInARow = documents == rows ? r.equalInARow + 1 : 0;
                    LOG.info("Rebuilding {}: {} documents in {}, {} rows in {}", r.rebuild.alias(), documents, r.index,
                            rows, entry.getKey());
                }
                if (r.scanned || r.equalInARow >= 2) {
                    r.rebuild.swap(false);
                    LOG.info("Rebuild of {} for {} complete after {} s ({}); the old index is kept: delete it when no "
                            + "longer needed", r.rebuild.alias(), entry.getKey(), (now - r.startedAt) / 1000,
                            r.scanned ? "the snapshot read the whole table" : "as many documents as rows");
                    swapped.add(entry.getKey());
                    it.remove();
                }
            } catch (IOException | SQLException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
                LOG.warn("Could not check the rebuild of {} yet: {}", r.rebuild.alias(), e.getMessage());
            }
        }
        return swapped;
    }

    private long rows(TableId table) throws SQLException {
        try (Connection db = SourceCheckConfig.connect(config)) {
            return new SourceKeys(db).count(table);
        }
    }
}
