package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.KeyColumns;
import io.cdcpipeline.core.consistency.TargetRows;
import io.cdcpipeline.core.consistency.TargetValues;
import io.cdcpipeline.core.snapshot.StaleRows;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Elasticsearch side of a snapshot sweep ({@link io.cdcpipeline.core.snapshot.SnapshotSweeps}): reads every
 * document's version through a point in time (no document source), and deletes those below the bound with an
 * external-versioned delete at {@code bound - 1}. A document the snapshot wrote again since the point in time was
 * opened holds a higher version, so its delete is refused as stale (409) and it stays. The same scan gives the live
 * keys for a check against the source ({@link TargetRows}), whose strays go by a delete at their version plus one.
 */
final class StaleDocuments implements StaleRows, TargetRows, TargetValues {

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
        long[] removed = new long[1];
        scan(alias, PAGE, hits -> {
            List<DocumentAction> deletes = new ArrayList<>();
            for (Hit<Void> hit : hits) {
                if (hit.version() != null && hit.version() < bound) {
                    deletes.add(new DocumentAction(null, alias, hit.id(), bound - 1, null, 0));
                }
            }
            removed[0] += delete(alias, deletes);
        });
        return removed[0];
    }

    /** Document ids read back as key text: a single value, or the values of a composite key's JSON array. */
    @Override
    public void scanLive(String alias, KeyColumns key, int batchSize, Consumer<List<Row>> batches) {
        scan(alias, batchSize, hits -> {
            List<Row> rows = new ArrayList<>(hits.size());
            for (Hit<Void> hit : hits) {
                if (hit.version() != null) {
                    rows.add(new Row(keyOf(hit.id(), key.size()), hit.version(), hit.id()));
                }
            }
            batches.accept(rows);
        });
    }

    @Override
    public long removeAt(String alias, KeyColumns key, List<Row> rows) {
        List<DocumentAction> deletes = new ArrayList<>(rows.size());
        for (Row row : rows) {
            deletes.add(new DocumentAction(null, alias, row.id(), row.version() + 1, null, 0));
        }
        return delete(alias, deletes);
    }

    @Override
    public List<Row> liveRows(String alias, KeyColumns key, List<List<String>> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(keys.size());
        keys.forEach(k -> ids.add(idOf(k, key)));
        try {
            List<Row> rows = new ArrayList<>();
            MgetResponse<Void> answer = client.mget(m -> m.index(alias).ids(ids).source(src -> src.fetch(false)),
                    Void.class);
            for (int i = 0; i < answer.docs().size(); i++) {
                MultiGetResponseItem<Void> item = answer.docs().get(i);
                if (item.isResult() && item.result().found() && item.result().version() != null) {
                    rows.add(new Row(keys.get(i), item.result().version(), item.result().id()));
                }
            }
            return rows;
        } catch (ElasticsearchException e) {
            if (e.status() == 404) {
                return List.of();
            }
            throw new RetriableException("cannot read documents of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot read documents of " + alias + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long liveCount(String alias) {
        try {
            client.indices().refresh(r -> r.index(alias));
            return client.count(c -> c.index(alias)).count();
        } catch (ElasticsearchException e) {
            if (e.status() == 404) {
                return 0;
            }
            throw new RetriableException("cannot count the documents of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot count the documents of " + alias + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void scanValues(String alias, KeyColumns key, List<String> columns, int batchSize,
            Consumer<List<ValuedRow>> batches) {
        scan(alias, batchSize, columns, ObjectNode.class, hits -> {
            List<ValuedRow> rows = new ArrayList<>(hits.size());
            for (Hit<ObjectNode> hit : hits) {
                rows.add(new ValuedRow(keyOf(hit.id(), key.size()), texts(hit.source(), columns)));
            }
            batches.accept(rows);
        });
    }

    @Override
    public Map<List<String>, List<String>> values(String alias, KeyColumns key, List<String> columns,
            List<List<String>> keys) {
        Map<List<String>, List<String>> values = new HashMap<>();
        if (keys.isEmpty()) {
            return values;
        }
        List<String> ids = new ArrayList<>(keys.size());
        keys.forEach(k -> ids.add(idOf(k, key)));
        try {
            MgetResponse<ObjectNode> answer = client.mget(m -> m.index(alias).ids(ids)
                    .sourceIncludes(columns), ObjectNode.class);
            for (int i = 0; i < answer.docs().size(); i++) {
                MultiGetResponseItem<ObjectNode> item = answer.docs().get(i);
                if (item.isResult() && item.result().found()) {
                    values.put(keys.get(i), texts(item.result().source(), columns));
                }
            }
            return values;
        } catch (ElasticsearchException e) {
            if (e.status() == 404) {
                return values;
            }
            throw new RetriableException("cannot read documents of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot read documents of " + alias + ": " + e.getMessage(), e);
        }
    }

    /** Documents picked by a random score (at most 10,000, a search's page). */
    @Override
    public List<List<String>> sampleKeys(String alias, KeyColumns key, int n) {
        try {
            SearchResponse<Void> page = client.search(s -> s.index(alias).size(Math.min(n, 10_000))
                    .query(q -> q.functionScore(f -> f.functions(fn -> fn.randomScore(r -> r))))
                    .source(src -> src.fetch(false)).trackTotalHits(t -> t.enabled(false)), Void.class);
            List<List<String>> keys = new ArrayList<>();
            for (Hit<Void> hit : page.hits().hits()) {
                keys.add(keyOf(hit.id(), key.size()));
            }
            return keys;
        } catch (ElasticsearchException e) {
            if (e.status() == 404) {
                return List.of();
            }
            throw new RetriableException("cannot sample documents of " + alias + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("cannot sample documents of " + alias + ": " + e.getMessage(), e);
        }
    }

    /** Elasticsearch keeps what the sink sent (ISO text for times): nothing is cut. */
    @Override
    public Map<String, Integer> fractionDigits(String alias) {
        return Map.of();
    }

    /** Each column's value as text: JSON strings as they are, other scalars as written, objects and arrays as JSON. */
    static List<String> texts(ObjectNode source, List<String> columns) {
        List<String> texts = new ArrayList<>(columns.size());
        for (String column : columns) {
            JsonNode value = source == null ? null : source.get(column);
            texts.add(value == null || value.isNull() ? null
                    : value.isValueNode() ? value.asText() : value.toString());
        }
        return texts;
    }

    /** The document id of a key given as text: as {@link DocumentId} writes it, numbers unquoted in a composite. */
    static String idOf(List<String> key, KeyColumns columns) {
        if (key.size() == 1) {
            return key.get(0);
        }
        ArrayNode values = Json.MAPPER.createArrayNode();
        for (int i = 0; i < key.size(); i++) {
            if (columns.numeric().get(i)) {
                values.add(new BigInteger(key.get(i)));
            } else {
                values.add(key.get(i));
            }
        }
        return values.toString();
    }

    static List<String> keyOf(String id, int columns) {
        if (columns == 1) {
            return List.of(id);
        }
        try {
            List<String> key = new ArrayList<>(columns);
            for (JsonNode value : Json.MAPPER.readTree(id)) {
                key.add(value.asText());
            }
            return key;
        } catch (IOException e) {
            throw new DataException("document id " + id + " is not the JSON array of a composite key", e);
        }
    }

    private void scan(String alias, int pageSize, Consumer<List<Hit<Void>>> pages) {
        IndexScan.scan(client, alias, pageSize, List.of(), Void.class, pages);
    }

    private <T> void scan(String alias, int pageSize, List<String> fields, Class<T> type, Consumer<List<Hit<T>>> pages) {
        IndexScan.scan(client, alias, pageSize, fields, type, pages);
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
