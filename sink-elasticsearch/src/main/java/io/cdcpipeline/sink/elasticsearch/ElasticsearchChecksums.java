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
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * every document's source through a point in time ({@code _shard_doc} order, the cheapest; whole sources, which the
 * node sends as stored, where filtering them would make it parse each) and hashes it here, in the same forms Postgres
 * computes in SQL. The point in time is read in {@value #SLICES} slices at once (a search runs on one thread of the
 * node), and each slice's next page is fetched while its current one is hashed.
 */
final class ElasticsearchChecksums implements TargetChecksums {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchChecksums.class);
    /**
     * Documents per page: two slices with a page each in flight and one being hashed must fit a small heap (a check
     * runs with -Xmx256m); 10,000-document pages made it spend its time collecting garbage, 1,000 in requests.
     */
    private static final int PAGE = 2_500;
    private static final int SLICES = 2;

    private final RestClient client;

    ElasticsearchChecksums(RestClient client) {
        this.client = client;
    }

    /**
     * The pipeline's values as sent (ISO times, exact decimal text), within what each field holds as the sink stores
     * values it cannot hold ({@link FieldRange}); json has no form here (see ChecksumForm).
     */
    @Override
    public List<ChecksumForm> checksumForms(String alias, List<String> columns, List<ColumnKind> kinds) {
        Map<String, String> types = fieldTypes(alias);
        List<ChecksumForm> forms = new ArrayList<>(kinds.size());
        for (int i = 0; i < kinds.size(); i++) {
            ChecksumForm form = ChecksumForm.ofSentValues(kinds.get(i));
            String type = types.getOrDefault(columns.get(i), "");
            if (form != null && form.kind() == ChecksumForm.Kind.TIMESTAMP) {
                form = type.equals("date_nanos") ? form.within("1970-01-01 00:00:00", "2262-04-11 23:47:16.854775")
                        : form.within(null, "9999-12-31 23:59:59.999999");
            } else if (form != null && FieldRange.of(type) == FieldRange.FINITE) {
                form = form.finite();
            }
            forms.add(form);
        }
        return forms;
    }

    /** The type of each top-level field of the alias's index; none when it has no index. */
    private Map<String, String> fieldTypes(String alias) {
        Map<String, String> types = new HashMap<>();
        try {
            JsonNode indices = read(client.performRequest(new Request("GET", "/" + alias + "/_mapping")).getEntity()
                    .getContent());
            indices.forEach(index -> index.path("mappings").path("properties").properties().forEach(field ->
                    types.put(field.getKey(), field.getValue().path("type").asText(""))));
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() != 404) {
                throw new UncheckedIOException("reading the mapping of " + alias + " failed", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the mapping of " + alias + " failed", e);
        }
        return types;
    }

    @Override
    public BucketSums bucketSums(String alias, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets) {
        BucketSums[] perSlice = new BucketSums[SLICES];
        for (int i = 0; i < SLICES; i++) {
            perSlice[i] = new BucketSums();
        }
        scan(alias, (slice, hits) -> {
            for (JsonNode hit : hits) {
                List<String> k = StaleDocuments.keyOf(hit.path("_id").asText(), key.size());
                long bucketHash = RowChecksum.bucketHash(k, key);
                if (buckets.includes(bucketHash)) {
                    perSlice[slice].add(buckets.bucketOf(bucketHash), rowHash(k, hit, columns, forms));
                }
            }
        });
        for (int i = 1; i < SLICES; i++) {
            perSlice[0].addAll(perSlice[i]);
        }
        return perSlice[0];
    }

    @Override
    public void rowHashes(String alias, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets, Consumer<List<KeyDiff.Keyed>> rows) {
        scan(alias, (slice, hits) -> {
            List<KeyDiff.Keyed> batch = new ArrayList<>();
            for (JsonNode hit : hits) {
                List<String> k = StaleDocuments.keyOf(hit.path("_id").asText(), key.size());
                if (buckets.includes(RowChecksum.bucketHash(k, key))) {
                    batch.add(new KeyDiff.Keyed(k, Long.toHexString(rowHash(k, hit, columns, forms))));
                }
            }
            if (!batch.isEmpty()) {
                synchronized (rows) {
                    rows.accept(batch);
                }
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

    /** Receives one page of hits of one slice; called from the slices' threads at once. */
    private interface Pages {
        void accept(int slice, JsonNode hits);
    }

    /**
     * Every document with its source, a page of hits at a time per slice, through a point in time opened after a
     * refresh (it sees only what a refresh made searchable). A missing index reads as empty.
     */
    private void scan(String alias, Pages pages) {
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
        ExecutorService threads = Executors.newFixedThreadPool(2 * SLICES, r -> {
            Thread thread = new Thread(r, "es-checksum-scan");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<CompletableFuture<Void>> slices = new ArrayList<>();
            for (int slice = 0; slice < SLICES; slice++) {
                int id = slice;
                slices.add(CompletableFuture.runAsync(() -> scanSlice(pit, id, threads, pages), threads));
            }
            CompletableFuture.allOf(slices.toArray(new CompletableFuture<?>[0])).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        } finally {
            threads.shutdownNow();
            try {
                Request close = new Request("DELETE", "/_pit");
                close.setJsonEntity("{\"id\": \"" + pit + "\"}");
                client.performRequest(close);
            } catch (IOException e) {
                LOG.debug("Closing the point in time on {} failed: {}", alias, e.getMessage());
            }
        }
    }

    /** One slice of the point in time, its next page fetched (on {@code fetcher}) while one is hashed. */
    private void scanSlice(String pit, int slice, ExecutorService fetcher, Pages pages) {
        JsonNode page = page(pit, slice, null);
        while (true) {
            JsonNode hits = page.path("hits").path("hits");
            CompletableFuture<JsonNode> next = null;
            if (hits.size() == PAGE) {
                JsonNode after = hits.get(hits.size() - 1).path("sort");
                String latest = page.path("pit_id").asText(pit); // the node may give a new id: the latest is used
                next = CompletableFuture.supplyAsync(() -> page(latest, slice, after), fetcher);
            }
            if (!hits.isEmpty()) {
                pages.accept(slice, hits);
            }
            if (next == null) {
                return;
            }
            page = next.join();
        }
    }

    private static Request pitRequest(String alias) {
        Request request = new Request("POST", "/" + alias + "/_pit");
        request.addParameter("keep_alive", "2m");
        return request;
    }

    /** One page of a slice after {@code after} (null: the first). */
    private JsonNode page(String pit, int slice, JsonNode after) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("size", PAGE).put("track_total_hits", false);
        body.putObject("pit").put("id", pit).put("keep_alive", "2m");
        body.putArray("sort").addObject().put("_shard_doc", "asc");
        if (SLICES > 1) {
            body.putObject("slice").put("id", slice).put("max", SLICES);
        }
        if (after != null) {
            body.set("search_after", after);
        }
        Request search = new Request("POST", "/_search");
        search.setJsonEntity(body.toString());
        try {
            return read(client.performRequest(search).getEntity().getContent());
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
