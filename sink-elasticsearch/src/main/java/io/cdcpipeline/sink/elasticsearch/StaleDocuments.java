package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.snapshot.StaleRows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Elasticsearch side of a snapshot sweep ({@link io.cdcpipeline.core.snapshot.SnapshotSweeps}): reads every
 * document's version through a point in time (no document source), and deletes those below the bound with an
 * external-versioned delete at {@code bound - 1}. A document the snapshot wrote again since the point in time was
 * opened holds a higher version, so its delete is refused as stale (409) and it stays.
 */
final class StaleDocuments implements StaleRows {

    private static final Logger LOG = LoggerFactory.getLogger(StaleDocuments.class);
    private static final int PAGE = 1_000;

    private final ElasticsearchClient client;
    private final ElasticsearchSinkConfig config;
    private final BulkSender sender;

    StaleDocuments(ElasticsearchClient client, ElasticsearchSinkConfig config, BulkSender sender) {
        this.client = client;
        this.config = config;
        this.sender = sender;
    }

    /** The alias of a source table if it exists, for a table the sink saw no record of. */
    String existingAlias(TableId table) {
        String alias = config.aliasFor(table);
        try {
            return client.indices().existsAlias(a -> a.name(alias)).value()
                    || client.indices().exists(e -> e.index(alias)).value() ? alias : null;
        } catch (IOException e) {
            throw new RetriableException("cannot tell whether " + alias + " exists: " + e.getMessage(), e);
        }
    }

    @Override
    public long removeOlderThan(String alias, long bound) {
        String pit;
        try {
            pit = client.openPointInTime(o -> o.index(alias).keepAlive(t -> t.time("2m"))).id();
        } catch (ElasticsearchException e) {
            if (e.status() == 404) {
                return 0;
            }
            throw new RetriableException("cannot read the versions of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot read the versions of " + alias + ": " + e.getMessage(), e);
        }
        long removed = 0;
        try {
            List<FieldValue> after = null;
            while (true) {
                String current = pit;
                List<FieldValue> from = after;
                SearchResponse<Void> page = client.search(s -> {
                    s.size(PAGE).pit(p -> p.id(current).keepAlive(t -> t.time("2m")))
                            .sort(so -> so.field(f -> f.field("_shard_doc"))).version(true)
                            .source(src -> src.fetch(false)).trackTotalHits(t -> t.enabled(false));
                    if (from != null) {
                        s.searchAfter(from);
                    }
                    return s;
                }, Void.class);
                if (page.pitId() != null) {
                    pit = page.pitId();
                }
                List<Hit<Void>> hits = page.hits().hits();
                List<DocumentAction> deletes = new ArrayList<>();
                for (Hit<Void> hit : hits) {
                    if (hit.version() != null && hit.version() < bound) {
                        deletes.add(new DocumentAction(null, alias, hit.id(), bound - 1, null, 0));
                    }
                }
                removed += delete(alias, deletes);
                if (hits.size() < PAGE) {
                    return removed;
                }
                after = hits.get(hits.size() - 1).sort();
            }
        } catch (IOException e) {
            throw new RetriableException("reading the versions of " + alias + " failed: " + e.getMessage(), e);
        } finally {
            String id = pit;
            try {
                client.closePointInTime(c -> c.id(id));
            } catch (IOException | ElasticsearchException e) {
                LOG.debug("Closing the point in time on {} failed: {}", alias, e.getMessage());
            }
        }
    }

    private long delete(String alias, List<DocumentAction> deletes) {
        if (deletes.isEmpty()) {
            return 0;
        }
        BulkSender.Outcome outcome = sender.send(deletes);
        for (BulkSender.Refused refused : outcome.refused()) {
            LOG.warn("Elasticsearch refused to delete stale document {} of {}: {}", refused.action().id(), alias,
                    refused.reason().getMessage());
        }
        if (!outcome.leftOver().isEmpty()) {
            throw new RetriableException(outcome.leftOver().size() + " stale documents of " + alias
                    + " could not be deleted yet");
        }
        return outcome.applied().size();
    }
}
