package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.core.consistency.BucketSums;
import io.cdcpipeline.core.consistency.Buckets;
import io.cdcpipeline.core.consistency.ChecksumForm;
import io.cdcpipeline.core.consistency.ColumnKind;
import io.cdcpipeline.core.consistency.KeyColumns;
import io.cdcpipeline.core.consistency.KeyDiff;
import io.cdcpipeline.core.consistency.RowChecksum;
import io.cdcpipeline.core.consistency.TargetChecksums;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.apache.kafka.connect.errors.RetriableException;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elasticsearch's side of a checksum comparison ({@link RowChecksum}): Elasticsearch has no MD5, so the check reads
 * every document's source through a point in time ({@code _shard_doc} order, the cheapest) and hashes it here, in
 * the same forms Postgres computes in SQL. The next page is fetched while the current one is hashed.
 */
final class ElasticsearchChecksums implements TargetChecksums {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchChecksums.class);
    private static final int PAGE = 10_000;

    private final RestClient client;

    ElasticsearchChecksums(RestClient client) {
        this.client = client;
    }

    /** The pipeline's values as sent (ISO times, exact decimal text); json has no form here (see ChecksumForm). */
    @Override
    public List<ChecksumForm> checksumForms(String alias, List<String> columns, List<ColumnKind> kinds) {
        List<ChecksumForm> forms = new ArrayList<>(kinds.size());
        kinds.forEach(kind -> forms.add(ChecksumForm.ofSentValues(kind)));
        return forms;
    }

    @Override
    public BucketSums bucketSums(String alias, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets) {
        BucketSums sums = new BucketSums();
        scan(alias, columns, hits -> {
            for (JsonNode hit : hits) {
                List<String> k = StaleDocuments.keyOf(hit.path("_id").asText(), key.size());
                long bucketHash = RowChecksum.bucketHash(k, key);
                if (buckets.includes(bucketHash)) {
                    sums.add(buckets.bucketOf(bucketHash), rowHash(k, hit, columns, forms));
                }
            }
        });
        return sums;
    }

    @Override
    public void rowHashes(String alias, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets, Consumer<List<KeyDiff.Keyed>> rows) {
        scan(alias, columns, hits -> {
            List<KeyDiff.Keyed> batch = new ArrayList<>();
            for (JsonNode hit : hits) {
                List<String> k = StaleDocuments.keyOf(hit.path("_id").asText(), key.size());
                if (buckets.includes(RowChecksum.bucketHash(k, key))) {
                    batch.add(new KeyDiff.Keyed(k, Long.toHexString(rowHash(k, hit, columns, forms))));
                }
            }
            if (!batch.isEmpty()) {
                rows.accept(batch);
            }
        });
    }

    @Override
    public boolean sumsWhereDataLives() {
        return false;
    }

    private static long rowHash(List<String> key, JsonNode hit, List<String> columns, List<ChecksumForm> forms) {
        List<String> texts = StaleDocuments.texts((ObjectNode) hit.get("_source"), columns);
        List<String> formed = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            formed.add(forms.get(i).of(texts.get(i)));
        }
        return RowChecksum.rowHash(key, formed);
    }

    /**
     * Every document with the {@code columns} of its source, a page of hits at a time, through a point in time
     * opened after a refresh (it sees only what a refresh made searchable). A missing index reads as empty.
     */
    private void scan(String alias, List<String> columns, Consumer<JsonNode> pages) {
        String pit;
        try {
            client.performRequest(new Request("POST", "/" + alias + "/_refresh"));
            pit = read(client.performRequest(pitRequest(alias)).getEntity().getContent()).path("id").asText();
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return;
            }
            throw new RetriableException("cannot read the documents of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot read the documents of " + alias + ": " + e.getMessage(), e);
        }
        ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "es-checksum-scan");
            thread.setDaemon(true);
            return thread;
        });
        String[] current = {pit};
        try {
            JsonNode page = page(current, columns, null);
            while (true) {
                JsonNode hits = page.path("hits").path("hits");
                CompletableFuture<JsonNode> next = null;
                if (hits.size() == PAGE) {
                    JsonNode after = hits.get(hits.size() - 1).path("sort");
                    next = CompletableFuture.supplyAsync(() -> page(current, columns, after), fetcher);
                }
                if (!hits.isEmpty()) {
                    pages.accept(hits);
                }
                if (next == null) {
                    return;
                }
                page = next.join();
            }
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        } finally {
            fetcher.shutdownNow();
            try {
                Request close = new Request("DELETE", "/_pit");
                close.setJsonEntity("{\"id\": \"" + current[0] + "\"}");
                client.performRequest(close);
            } catch (IOException e) {
                LOG.debug("Closing the point in time on {} failed: {}", alias, e.getMessage());
            }
        }
    }

    private static Request pitRequest(String alias) {
        Request request = new Request("POST", "/" + alias + "/_pit");
        request.addParameter("keep_alive", "2m");
        return request;
    }

    /** One page after {@code after} (null: the first); keeps the point in time's latest id in {@code pit[0]}. */
    private JsonNode page(String[] pit, List<String> columns, JsonNode after) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("size", PAGE).put("track_total_hits", false);
        body.putObject("pit").put("id", pit[0]).put("keep_alive", "2m");
        body.putArray("sort").addObject().put("_shard_doc", "asc");
        columns.forEach(body.putObject("_source").putArray("includes")::add);
        if (after != null) {
            body.set("search_after", after);
        }
        Request search = new Request("POST", "/_search");
        search.setJsonEntity(body.toString());
        try {
            JsonNode page = read(client.performRequest(search).getEntity().getContent());
            if (page.hasNonNull("pit_id")) {
                pit[0] = page.get("pit_id").asText();
            }
            return page;
        } catch (IOException e) {
            throw new RetriableException("reading the documents failed: " + e.getMessage(), e);
        }
    }

    private static JsonNode read(InputStream in) throws IOException {
        try (in) {
            return Json.MAPPER.readTree(in);
        }
    }
}
