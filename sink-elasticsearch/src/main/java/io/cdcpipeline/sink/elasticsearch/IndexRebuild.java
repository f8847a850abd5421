package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import co.elastic.clients.elasticsearch.indices.UpdateAliasesRequest;
import co.elastic.clients.elasticsearch.indices.update_aliases.Action;
import com.fasterxml.jackson.core.type.TypeReference;
import io.cdcpipeline.core.TableId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Elasticsearch side of a zero-downtime rebuild. {@link #start} creates {@code <alias>_v<N+1>} with the current
 * mapping (plus the table's mapping override from the config) and the alias {@code <alias>-rebuild}, which running
 * sinks find within {@link #CHECK_INTERVAL_MS} and from then on write to as well; the caller then has the source send
 * a fresh snapshot of the table. {@link #swap} moves the alias to the new index in one atomic {@code _aliases} call,
 * so searches never see a missing or half-full index.
 */
public final class IndexRebuild implements AutoCloseable {

    /** How often sinks look for a rebuild target; the rebuild waits twice this before the snapshot starts. */
    public static final long CHECK_INTERVAL_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(IndexRebuild.class);
    private static final Pattern VERSIONED = Pattern.compile("(.*)_v(\\d+)");

    private final ElasticsearchSinkConfig config;
    private final ElasticsearchConnection connection; // null: the sink's, not closed here
    private final ElasticsearchClient client;
    private final RestClient rest;
    private final String alias;
    private String oldIndex;
    private String newIndex;

    public IndexRebuild(Map<String, String> sinkConfig, TableId table) {
        this.config = new ElasticsearchSinkConfig(sinkConfig);
        this.connection = new ElasticsearchConnection(config);
        this.client = connection.client();
        this.rest = connection.restClient();
        this.alias = config.aliasFor(table);
    }

    /** A rebuild the sink runs itself, over its own connection, of the index behind {@code alias}. */
    IndexRebuild(ElasticsearchSinkConfig config, ElasticsearchClient client, RestClient rest,
            String alias) {
        this.config = config;
        this.connection = null;
        this.client = client;
        this.rest = rest;
        this.alias = alias;
    }

    /**
     * Joins the rebuild already filling an index behind the rebuild alias (one started before a restart), or starts
     * one whose mapping takes {@code properties} over the old index's; returns the new index's name.
     */
    String resumeOrStart(TableId table, Map<String, Object> properties) throws IOException {
        if (client.indices().existsAlias(a -> a.name(IndexManager.rebuildAlias(alias))).value()) {
            oldIndex = client.indices().getAlias(a -> a.name(alias)).result().keySet().iterator().next();
            newIndex = client.indices().getAlias(a -> a.name(IndexManager.rebuildAlias(alias))).result().keySet()
                    .iterator().next();
            LOG.info("Rebuild of {} into {} found: going on with it", alias, newIndex);
            return newIndex;
        }
        return start(table, properties);
    }

    /** The document count of the new index, after a refresh. */
    long newCount() throws IOException {
        client.indices().refresh(r -> r.index(newIndex));
        return client.count(c -> c.index(newIndex)).count();
    }

    public String alias() {
        return alias;
    }


    /** Creates the new index version behind the rebuild alias; returns its name. */
    public String start(TableId table) throws IOException {
        return start(table, Map.of());
    }

    /** As {@link #start(TableId)}, with {@code properties} taking the place of the old index's fields of their names. */
    String start(TableId table, Map<String, Object> properties) throws IOException {
        oldIndex = client.indices().getAlias(a -> a.name(alias)).result().keySet().iterator().next();
        Matcher versioned = VERSIONED.matcher(oldIndex);
        int version = versioned.matches() ? Integer.parseInt(versioned.group(2)) : 0;
        newIndex = alias + "_v" + (version + 1);
        Map<String, Object> mapping = currentMapping();
        Map<String, Object> fields = new LinkedHashMap<>(castMap(mapping.get("properties")));
        fields.putAll(properties);
        fields.putAll(Json.objectOrEmpty(ElasticsearchSinkConfig.OVERRIDE_PREFIX + table.schema() + "."
                + table.table() + ".mapping", config.mappingOverride(table)));
        mapping.put("properties", fields);
        Map<String, Object> body = Map.of("settings", config.indexSettings(table), "mappings", mapping,
                "aliases", Map.of(IndexManager.rebuildAlias(alias), Map.of()));
        LOG.info("Rebuilding {}: created {} beside {} (alias {} until the swap)", alias, newIndex, oldIndex,
                IndexManager.rebuildAlias(alias));
        byte[] json = Json.MAPPER.writeValueAsBytes(body);
        client.indices().create(CreateIndexRequest.of(b -> b.index(newIndex).withJson(new ByteArrayInputStream(json))
                .waitForActiveShards(IndexManager.activeShards(config))));
        return newIndex;
    }

    /** The old index's mapping as JSON, read with the low-level client (the typed one has no plain-map form). */
    private Map<String, Object> currentMapping() throws IOException {
        Response response = rest.performRequest(
                new Request("GET", "/" + oldIndex + "/_mapping"));
        Map<String, Object> all = Json.MAPPER.readValue(response.getEntity().getContent(),
                new TypeReference<Map<String, Object>>() { });
        return new LinkedHashMap<>(castMap(castMap(all.get(oldIndex)).get("mappings")));
    }

    /**
     * Documents in the old and the new index, after one refresh of both: every write reaches both in the same bulk
     * request, so once the snapshot is through they hold the same count.
     */
    public long[] counts() throws IOException {
        client.indices().refresh(r -> r.index(oldIndex, newIndex));
        return new long[] {client.count(c -> c.index(oldIndex)).count(), client.count(c -> c.index(newIndex)).count()};
    }

    /**
     * The snapshot a running sink recorded as written into the new index ({@link RebuildScans}): {@code snapshot}
     * (the id of the signal that asked for it) and {@code status}; null while none is.
     */
    public Map<String, String> scanWritten() throws IOException {
        return RebuildScans.recorded(client, newIndex);
    }

    /** Moves the alias from the old to the new index and drops the rebuild alias, in one atomic call. */
    public void swap(boolean deleteOld) throws IOException {
        client.indices().updateAliases(UpdateAliasesRequest.of(u -> u.actions(List.of(
                Action.of(a -> a.remove(r -> r.index(oldIndex)
                        .alias(alias))),
                Action.of(a -> a.add(r -> r.index(newIndex)
                        .alias(alias).isWriteIndex(true))),
                Action.of(a -> a.remove(r -> r.index(newIndex)
                        .alias(IndexManager.rebuildAlias(alias))))))));
        LOG.info("Rebuilt {}: the alias now points at {}", alias, newIndex);
        if (deleteOld) {
            client.indices().delete(d -> d.index(oldIndex));
            LOG.info("Deleted the old index {}", oldIndex);
        }
    }

    /** Gives up: removes the new index (the alias never moved). */
    public void abort() throws IOException {
        if (newIndex != null) {
            client.indices().delete(d -> d.index(newIndex));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
    }
}
