package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every document of an index, a page at a time, with its version, through a point in time. */
final class IndexScan {

    private static final Logger LOG = LoggerFactory.getLogger(IndexScan.class);

    private IndexScan() {
    }

    /**
     * Reads every document's id and version, with the {@code fields} of its source (none: no source; "*": all),
     * through a point in time, a page at a time. The index is refreshed first: a point in time sees only what a
     * refresh made searchable, and an idle index may not have refreshed for a long time.
     */
    static <T> void scan(ElasticsearchClient client, String alias, int pageSize, List<String> fields, Class<T> type,
            Consumer<List<Hit<T>>> pages) {
        String pit;
        try {
            client.indices().refresh(r -> r.index(alias));
            pit = client.openPointInTime(o -> o.index(alias).keepAlive(t -> t.time("2m"))).id();
        } catch (ElasticsearchException e) {
            if (e.status() == 404) {
                return;
            }
            throw new RetriableException("cannot read the versions of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot read the versions of " + alias + ": " + e.getMessage(), e);
        }
        try {
            List<FieldValue> after = null;
            while (true) {
                String current = pit;
                List<FieldValue> from = after;
                SearchResponse<T> page = client.search(s -> {
                    s.size(pageSize).pit(p -> p.id(current).keepAlive(t -> t.time("2m")))
                            .sort(so -> so.field(f -> f.field("_shard_doc"))).version(true)
                            .source(src -> fields.isEmpty() ? src.fetch(false) : src.filter(f -> f.includes(fields)))
                            .trackTotalHits(t -> t.enabled(false));
                    if (from != null) {
                        s.searchAfter(from);
                    }
                    return s;
                }, type);
                if (page.pitId() != null) {
                    pit = page.pitId();
                }
                List<Hit<T>> hits = page.hits().hits();
                if (!hits.isEmpty()) {
                    pages.accept(hits);
                }
                if (hits.size() < pageSize) {
                    return;
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

}
