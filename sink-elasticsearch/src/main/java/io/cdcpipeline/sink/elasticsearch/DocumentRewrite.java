package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.core.TableId;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.RetriableException;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the documents written before a schema change up to date in place, as ClickHouse does with a column default
 * and {@code RENAME COLUMN}: a column added with a default (Postgres's existing rows read it, yet no change of theirs
 * is streamed) is set in every document that lacks the field, and a renamed column's value moves to its new name.
 * <p>
 * Every document is read through a point in time and the changed ones are written back with
 * {@code version_type=external_gte} at the version they were read with: the version stays what the row's change gave
 * it, and a document that a newer change wrote meanwhile (written with the new schema, so holding every field) is
 * left alone by Elasticsearch's version check. Client-side rather than {@code _update_by_query}, which needs the
 * reindex and painless modules that not every node has and would raise each version by one. The caller has every
 * earlier write in Elasticsearch before this runs, so no document of the old shape arrives after it.
 */
final class DocumentRewrite {

    private static final Logger LOG = LoggerFactory.getLogger(DocumentRewrite.class);
    private static final int PAGE = 1_000;
    private static final long PROGRESS_EVERY_MS = 10_000;

    /** What a schema change asks of the documents already written: new name to old name, field to default. */
    record Change(Map<String, String> renames, Map<String, Object> defaults) {

        boolean isEmpty() {
            return renames.isEmpty() && defaults.isEmpty();
        }

        /** Applies the change to a document's source; whether it changed anything. */
        boolean applyTo(ObjectNode source) {
            boolean changed = false;
            for (Map.Entry<String, String> rename : renames.entrySet()) {
                if (source.has(rename.getValue()) && !source.has(rename.getKey())) {
                    source.set(rename.getKey(), source.remove(rename.getValue()));
                    changed = true;
                }
            }
            for (Map.Entry<String, Object> added : defaults.entrySet()) {
                if (!source.has(added.getKey())) { // a null written with the new schema is a value: kept
                    source.set(added.getKey(), Json.MAPPER.valueToTree(added.getValue()));
                    changed = true;
                }
            }
            return changed;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder();
            renames.forEach((to, from) -> text.append(text.isEmpty() ? "" : ", ").append(from).append(" renamed to ")
                    .append(to));
            defaults.forEach((field, value) -> text.append(text.isEmpty() ? "" : ", ").append(field)
                    .append(" added with default ").append(value));
            return text.toString();
        }
    }

    private final ElasticsearchClient client;
    private final RestClient rest;

    DocumentRewrite(ElasticsearchClient client, RestClient rest) {
        this.client = client;
        this.rest = rest;
    }

    /** Applies the change to every document of {@code index}; returns how many it rewrote. */
    long apply(TableId table, String index, Change change) {
        LOG.info("Schema change of {} ({}): rewriting the documents of {} written before", table, change, index);
        long started = System.currentTimeMillis();
        long[] seen = {0, 0, 0, started}; // scanned, rewritten, left to a newer write, last progress log
        IndexScan.scan(client, index, PAGE, List.of("*"), ObjectNode.class, hits -> {
            StringBuilder bulk = new StringBuilder();
            int writes = 0;
            for (Hit<ObjectNode> hit : hits) {
                ObjectNode source = hit.source();
                if (source != null && hit.version() != null && change.applyTo(source)) {
                    ObjectNode action = Json.MAPPER.createObjectNode();
                    action.putObject("index").put("_index", hit.index()).put("_id", hit.id())
                            .put("version", hit.version()).put("version_type", "external_gte");
                    bulk.append(action.toString()).append('\n').append(source.toString()).append('\n');
                    writes++;
                }
            }
            seen[0] += hits.size();
            if (writes > 0) {
                long conflicts = send(table, index, bulk.toString());
                seen[1] += writes - conflicts;
                seen[2] += conflicts;
            }
            if (System.currentTimeMillis() - seen[3] > PROGRESS_EVERY_MS) {
                seen[3] = System.currentTimeMillis();
                LOG.info("Schema change of {}: {} documents of {} read, {} rewritten", table, seen[0], index, seen[1]);
            }
        });
        LOG.info("Schema change of {}: {} of {} documents of {} rewritten ({} newer meanwhile) in {} ms", table, seen[1],
                seen[0], index, seen[2], System.currentTimeMillis() - started);
        return seen[1];
    }

    /** Sends one page's writes; returns how many a newer write had overtaken (version conflicts). */
    private long send(TableId table, String index, String ndjson) {
        try {
            Request request = new Request("POST", "/_bulk");
            request.setJsonEntity(ndjson);
            JsonNode answer = Json.MAPPER.readTree(rest.performRequest(request).getEntity().getContent());
            long conflicts = 0;
            for (JsonNode item : answer.path("items")) {
                JsonNode result = item.path("index");
                int status = result.path("status").asInt();
                if (status == 409) {
                    conflicts++;
                } else if (status >= 300) {
                    throw new RetriableException("rewriting the documents of " + index + " after the schema change of "
                            + table + " failed: " + result.path("error"));
                }
            }
            return conflicts;
        } catch (IOException e) {
            throw new RetriableException("rewriting the documents of " + index + " after the schema change of " + table
                    + " failed: " + e.getMessage(), e);
        }
    }
}
