package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.indices.get_mapping.IndexMappingRecord;
import co.elastic.clients.json.JsonData;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a rebuild started by another process ({@code bin/cdc rebuild}, {@link IndexRebuild}) that the incremental
 * snapshot filling its index is written: the rebuild command cannot see the stream, and counting documents cannot
 * tell it either while the table takes writes (the old and the new index are refreshed, and their shard copies
 * answer, at different moments, so their counts rarely meet). When the snapshot's completion notification reaches
 * the sink, the sink writes everything before it, then records the notification's id (the id of the signal that
 * asked for the snapshot) and the scan's status under {@value #META_KEY} in the new index's mapping {@code _meta}.
 */
final class RebuildScans {

    static final String META_KEY = "cdc_rebuild_scanned";

    private static final Logger LOG = LoggerFactory.getLogger(RebuildScans.class);

    /** The snapshot that ended, with how, waiting to be recorded on a rebuild's index. */
    private record Scan(String snapshotId, String status) {
    }

    private final ElasticsearchClient client;
    private final Map<String, Scan> pending = new LinkedHashMap<>();

    RebuildScans(ElasticsearchClient client) {
        this.client = client;
    }

    /**
     * A notification from the stream; {@code rebuildIndex} is the index a rebuild fills for the notification's table,
     * or null. Recorded by {@link #recordAll} once everything accepted before it is written.
     */
    void onNotification(SnapshotNotification notification, String rebuildIndex) {
        if (rebuildIndex != null && endsTableScan(notification)) {
            pending.put(rebuildIndex, new Scan(notification.id(), notification.status()));
        }
    }

    /** Whether the notification ends an incremental snapshot's scan of a table, however it ended. */
    static boolean endsTableScan(SnapshotNotification notification) {
        return notification.id() != null && notification.table() != null
                && SnapshotNotification.INCREMENTAL_SNAPSHOT.equals(notification.aggregateType())
                && SnapshotNotification.TABLE_SCAN_COMPLETED.equals(notification.type());
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Records each pending scan; called with everything accepted written. One that fails is tried at the next flush. */
    void recordAll() {
        for (Iterator<Map.Entry<String, Scan>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Scan> entry = it.next();
            String index = entry.getKey();
            Scan scan = entry.getValue();
            try {
                // _meta is replaced as a whole: keep what the sink records there (the source columns, ...)
                Map<String, JsonData> meta = new HashMap<>(meta(client, index));
                meta.put(META_KEY, JsonData.of(Map.of("snapshot", scan.snapshotId(),
                        "status", String.valueOf(scan.status()))));
                client.indices().putMapping(p -> p.index(index).meta(meta));
                LOG.info("The snapshot {} that fills the rebuild {} is written ({})", scan.snapshotId(), index,
                        scan.status());
                it.remove();
            } catch (ElasticsearchException e) {
                if ("index_not_found_exception".equals(e.error().type())) {
                    it.remove(); // the rebuild was given up
                } else {
                    LOG.warn("Could not record on {} that its snapshot is written, will try again: {}", index,
                            e.getMessage());
                }
            } catch (IOException e) {
                LOG.warn("Could not record on {} that its snapshot is written, will try again: {}", index,
                        e.getMessage());
            }
        }
    }

    /**
     * The snapshot recorded as written on {@code index}: its id and status ({@code SUCCEEDED}, {@code EMPTY},
     * {@code SKIPPED}, ...), or null when none is.
     */
    static Map<String, String> recorded(ElasticsearchClient client, String index) throws IOException {
        JsonData scan = meta(client, index).get(META_KEY);
        if (scan == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> fields = scan.to(Map.class);
        return fields;
    }

    private static Map<String, JsonData> meta(ElasticsearchClient client, String index) throws IOException {
        IndexMappingRecord mapping = client.indices().getMapping(g -> g.index(index)).result().get(index);
        Map<String, JsonData> meta = mapping == null || mapping.mappings() == null ? null : mapping.mappings().meta();
        return meta == null ? Map.of() : meta;
    }
}
