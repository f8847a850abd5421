package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.WaitForActiveShardOptions;
import co.elastic.clients.elasticsearch._types.WaitForActiveShards;
import co.elastic.clients.elasticsearch.indices.CreateIndexRequest;
import co.elastic.clients.elasticsearch.indices.PutMappingRequest;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.transport.TransportException;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.ColumnRenames;
import io.cdcpipeline.core.SourceColumns;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.TableRefusal;
import io.cdcpipeline.core.sink.TargetSources;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every table through an alias: {@code <alias>} points at {@code <alias>_v<N>}, created from the record
 * schema (field types from {@link FieldMappings}, per-table overrides, the dynamic policy, the total-fields guard,
 * {@code gc_deletes}). A new source column is added to the mapping before the documents that carry it, and the
 * documents written before follow a column added with a default or renamed ({@link DocumentRewrite}); a type change
 * the mapping cannot take rebuilds the index ({@link AutoRebuilds}), or where the sink cannot ask for the snapshot
 * that fills it, is refused with the fix and the table's records are dead-lettered.
 */
final class IndexManager {

    private static final Logger LOG = LoggerFactory.getLogger(IndexManager.class);

    private final ElasticsearchClient client;
    private final ElasticsearchSinkConfig config;
    private final Map<TableId, Known> known = new HashMap<>();
    private final Map<String, RebuildTarget> rebuilds = new HashMap<>();
    private final Map<TableId, String> aliasNames = new HashMap<>();
    private final TargetSources targetSources = new TargetSources();

    /** The index a rebuild fills for an alias (or none), and when that was last asked. */
    private record RebuildTarget(String index, long checkedAt) {
    }

    /** The alias a rebuild command puts on the new index while it fills; see {@link IndexRebuild}. */
    static String rebuildAlias(String alias) {
        return alias + "-rebuild";
    }

    /** What is known of a table's index: its schema, alias and the range of each top-level field, or a refusal. */
    private record Known(Schema schema, String alias, Map<String, FieldRange> ranges, Map<String, String> types,
            TableRefusal refusal, Map<String, String> fieldFor, Map<String, Object> defaults) {
    }

    /** Modules that bring the geo_shape field type: x-pack's spatial, and legacy-geo. */
    private static final Set<String> GEO_SHAPE_MODULES = Set.of("spatial", "legacy-geo");
    private Boolean geoShapes;

    /** Where a schema change that the documents written before must follow waits until it has been applied. */
    static final String PENDING_REWRITE = "cdc_pending_rewrite";
    /** Where the mapping records the source columns its documents were last written with ({@link SourceColumns}). */
    static final String SOURCE_COLUMNS = "cdc_source_columns";

    private final DocumentRewrite rewrite;
    private final Runnable beforeRewrite;
    private final AutoRebuilds autoRebuilds;
    private final RebuildScans rebuildScans;

    /**
     * @param beforeRewrite writes everything accepted so far (or throws a RetriableException): documents of the old
     *                      shape must not reach the index after it was rewritten
     */
    IndexManager(ElasticsearchClient client, ElasticsearchSinkConfig config, DocumentRewrite rewrite,
            Runnable beforeRewrite, AutoRebuilds autoRebuilds) {
        this.client = client;
        this.config = config;
        this.rewrite = rewrite;
        this.beforeRewrite = beforeRewrite;
        this.autoRebuilds = autoRebuilds;
        this.rebuildScans = new RebuildScans(client);
    }

    /** A notification from the stream, for the rebuilds this sink runs and those another process started. */
    void onNotification(SnapshotNotification notification) {
        autoRebuilds.onNotification(notification);
        if (RebuildScans.endsTableScan(notification)) {
            String alias;
            try {
                alias = IndexNames.requireValid(config.aliasFor(notification.table()), notification.table());
            } catch (DataException e) {
                return; // no index and no rebuild: the table's records are refused
            }
            rebuildScans.onNotification(notification, rebuildTarget(alias));
        }
    }

    /** Whether a rebuild waits to hear that its snapshot is written ({@link #everythingWritten}). */
    boolean hasRebuildScansPending() {
        return rebuildScans.hasPending();
    }

    /** Everything accepted is written: the rebuilds whose snapshot ended before it learn that it is written. */
    void everythingWritten() {
        rebuildScans.recordAll();
    }

    /** Completes the rebuilds this sink runs that are due; their tables' writes go through the alias again. */
    void completeRebuilds() {
        autoRebuilds.completeDue().forEach(known::remove);
    }

    /**
     * This task no longer receives the table's changes (Connect moved its partitions): it lets go of the table's
     * rebuild, which the task that writes the table now joins, and looks at the index afresh if the table comes back.
     */
    void handOver(TableId table) {
        autoRebuilds.handOver(table);
        known.remove(table);
    }

    /**
     * A truncate of the table: no request removes exactly the documents older than it (delete-by-query cannot compare
     * external versions, and a plain delete of all would also remove rows written after a replayed truncate), so the
     * index is rebuilt from an incremental snapshot of what the table holds now, and the alias moves once it is full.
     * The caller has written every document before the truncate, so none of them reaches the new index.
     *
     * @throws DataException with the fix, when the sink cannot ask for the snapshot (no signal table configured)
     */
    void truncated(TableId table) throws IOException {
        String alias = IndexNames.requireValid(config.aliasFor(table), table);
        if (!client.indices().existsAlias(a -> a.name(alias)).value()) {
            return; // no index yet: nothing to remove
        }
        if (!autoRebuilds.enabled()) {
            throw new DataException("table " + table + " was truncated, and the Elasticsearch sink removes a "
                    + "truncated table's documents by rebuilding its index from a snapshot: set "
                    + SourceCheckConfig.URL + " and "
                    + SourceCheckConfig.SIGNAL_TABLE + " so that it does so by itself, "
                    + "or rebuild it by hand (bin/cdc rebuild --table " + table + ")");
        }
        autoRebuilds.begin(table, alias, Map.of(), "table " + table + " was truncated");
        rebuilds.remove(alias); // writes go to the new index as well from the next one on
    }

    /** The alias to write the event's document through; its index and mapping are ready for the event's schema. */
    String aliasFor(ChangeEvent event) {
        // Before anything is created, altered or rewritten for this table: a name no index may have, or an index
        // another table already writes, is refused for this table alone.
        String name = aliasNames.computeIfAbsent(event.table(), t -> IndexNames.requireValid(config.aliasFor(t), t));
        targetSources.check(name, event);
        Schema schema = event.rowSchema();
        Known k = known.get(event.table());
        if (k != null && k.refusal != null && (schema == null || k.refusal.holdsFor(schema, config.refusalRecheckMillis()))) {
            throw new DataException(k.refusal.reason());
        }
        if (k != null && k.refusal == null && (schema == null || k.schema == schema || k.schema.equals(schema))) {
            return k.alias;
        }
        String alias = config.aliasFor(event.table());
        if (schema == null) {
            return alias; // a delete before any row of the table was seen: its index exists or the delete is moot
        }
        try {
            Prepared prepared = prepare(event, alias, schema, k == null ? null : sourceColumns(k.schema));
            Map<String, FieldRange> ranges = new HashMap<>();
            prepared.types().forEach((field, type) -> ranges.put(field, FieldRange.of(type)));
            known.put(event.table(), new Known(schema, prepared.target(), ranges, prepared.types(), null,
                    prepared.fieldFor(), prepared.defaults()));
            return prepared.target();
        } catch (DataException e) {
            known.put(event.table(), new Known(schema, alias, Map.of(), Map.of(), TableRefusal.of(schema, e.getMessage()),
                    Map.of(), Map.of()));
            throw e;
        }
    }

    /**
     * The fields source columns are written to where not under their own names: the columns renamed since, when a
     * record older than the index's recorded columns is delivered again. Usually empty.
     */
    Map<String, String> fieldNames(TableId table) {
        Known k = known.get(table);
        return k == null ? Map.of() : k.fieldFor;
    }

    /**
     * Fields a document of the table's current schema lacks and must hold: for a record older than the index's
     * recorded columns (delivered again), the columns added since with a default, which Postgres's row reads.
     */
    Map<String, Object> defaults(TableId table) {
        Known k = known.get(table);
        return k == null ? Map.of() : k.defaults;
    }

    /** The values a field of a table's index holds; known once {@link #aliasFor} has prepared the index. */
    FieldRange range(TableId table, String field) {
        Known k = known.get(table);
        return k == null ? FieldRange.ANY : k.ranges.getOrDefault(field, FieldRange.ANY);
    }

    /** The mapping type of a field of a table's index ("date_nanos", ...), for messages. */
    String fieldType(TableId table, String field) {
        Known k = known.get(table);
        return k == null ? "" : k.types.getOrDefault(field, "");
    }

    /**
     * The index a rebuild is filling for {@code alias}, or null: while one exists every write goes to it as well, so
     * it is complete when its snapshot ends. Looked up again every few seconds, so a rebuild started by another
     * process is joined shortly after it begins (the rebuild command waits for that before it starts the snapshot).
     */
    String rebuildTarget(String alias) {
        RebuildTarget target = rebuilds.get(alias);
        long now = System.currentTimeMillis();
        if (target != null && now - target.checkedAt < IndexRebuild.CHECK_INTERVAL_MS) {
            return target.index;
        }
        String index = null;
        try {
            if (client.indices().existsAlias(a -> a.name(rebuildAlias(alias))).value()) {
                // null if it went between the two calls (the swap)
                index = client.indices().getAlias(a -> a.name(rebuildAlias(alias))).result().keySet().stream()
                        .findFirst().orElse(null);
            }
        } catch (IOException | ElasticsearchException e) {
            LOG.warn("Could not check for a rebuild of {}: {}", alias, e.getMessage());
            index = target == null ? null : target.index;
        }
        if (index != null && (target == null || !index.equals(target.index))) {
            LOG.info("Index {} is being rebuilt into {}: writing to both until the alias moves", alias, index);
        }
        rebuilds.put(alias, new RebuildTarget(index, now));
        return index;
    }

    /** Whether every node has the geo_shape field type; asked once. */
    private boolean geoShapes() {
        if (geoShapes == null) {
            try {
                geoShapes = client.nodes().info(n -> n.metric("plugins")).nodes().values().stream()
                        .allMatch(node -> node.modules() != null && node.modules().stream()
                                .anyMatch(module -> GEO_SHAPE_MODULES.contains(module.name())));
            } catch (IOException | ElasticsearchException e) {
                // e.g. a user without the monitor privilege; a full distribution has geo_shape
                LOG.warn("Could not list the modules of Elasticsearch ({}); assuming geo_shape exists", e.getMessage());
                geoShapes = true;
                return true;
            }
            if (!geoShapes) {
                LOG.warn("This Elasticsearch has no geo_shape field type (no 'spatial' or 'legacy-geo' module, as in "
                        + "its integ-test distribution): geometry and geography columns are indexed as WKT keywords");
            }
        }
        return geoShapes;
    }

    /**
     * Where a table's documents go (its alias, or the index a rebuild fills), the type of each field, and for a
     * record older than the recorded columns the fields of columns renamed since and the defaults of those added.
     */
    private record Prepared(String target, Map<String, String> types, Map<String, String> fieldFor,
            Map<String, Object> defaults) {
    }

    /**
     * Creates or updates the index for the event's schema. {@code before} is the columns this process wrote the
     * table's documents with before, if any (else those the mapping recorded): renames are told apart from them.
     */
    private Prepared prepare(ChangeEvent event, String alias, Schema schema, List<Field> before) {
        TableId table = event.table();
        Map<String, Object> properties = FieldMappings.properties(sourceColumns(schema),
                new FieldMappings.Choices(config.timestampFieldType(), this::geoShapes));
        properties.putAll(Json.objectOrEmpty(ElasticsearchSinkConfig.OVERRIDE_PREFIX + table.schema() + "."
                + table.table() + ".mapping", config.mappingOverride(table)));
        try {
            boolean aliasExists = client.indices().existsAlias(a -> a.name(alias)).value();
            boolean indexExists = !aliasExists && client.indices().exists(e -> e.index(alias)).value();
            if (aliasExists || indexExists) {
                Mapped mapped = mapped(alias);
                SourceColumns recorded = mapped.recorded();
                Map<String, String> fieldFor = recorded == null ? Map.of()
                        : recorded.renamedSince(event, event.keyColumns());
                if (!fieldFor.isEmpty()) {
                    // A record from before a rename, delivered again: its values go to the fields' new names.
                    Map<String, Object> renamed = new LinkedHashMap<>();
                    properties.forEach((field, mapping) -> renamed.put(fieldFor.getOrDefault(field, field), mapping));
                    properties = renamed;
                }
                keepExistingTypes(mapped.types(), properties);
                DocumentRewrite.Change change = rewriteFor(schema, before != null ? before
                        : recorded == null ? null : recorded.before(event), mapped);
                String rebuild = rebuildTarget(alias);
                SourceColumns columns = recorded == null || recorded.replacedBy(event) ? SourceColumns.of(event) : recorded;
                Map<String, Object> recordedMeta = Map.of(SOURCE_COLUMNS, columns.toJson());
                // The change is recorded with the mapping that makes it possible: a crash before the rewrite is
                // through finds it again at the next start.
                Map<String, Object> meta = !change.isEmpty() ? Map.of(PENDING_REWRITE, Map.of("renames",
                        change.renames(), "defaults", change.defaults()), SOURCE_COLUMNS, columns.toJson())
                        : columns != recorded ? recordedMeta : null;
                try {
                    putMapping(table, alias, properties, meta);
                } catch (TypeConflict conflict) {
                    return rebuildFor(table, alias, properties, conflict);
                }
                if (rebuild != null) {
                    putMapping(table, rebuild, properties, null);
                }
                if (!change.isEmpty()) {
                    beforeRewrite.run();
                    rewrite.apply(table, alias, change);
                    if (rebuild != null) {
                        rewrite.apply(table, rebuild, change);
                    }
                    putMapping(table, alias, Map.of(), recordedMeta);
                }
                Map<String, Object> defaults = new LinkedHashMap<>();
                if (recorded != null) {
                    recorded.addedSince(event, fieldFor).forEach((field, column) -> defaults.put(field,
                            DocumentValues.value(column.schema(), column.schema().defaultValue())));
                }
                return new Prepared(alias, types(properties), fieldFor, defaults);
            }
            create(table, alias, properties, SourceColumns.of(event));
            return new Prepared(alias, types(properties), Map.of(), Map.of());
        } catch (TransportException e) {
            if (e.statusCode() == 401 || e.statusCode() == 403) { // a HEAD request: refused without a body
                throw new TargetUnavailableException("preparing index " + alias + " was not allowed (" + e.statusCode()
                        + "): " + e.getMessage() + ". " + BulkSender.ACCESS_FIX, e);
            }
            throw new RetriableException("preparing index " + alias + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RetriableException("preparing index " + alias + " failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> types(Map<String, Object> properties) {
        Map<String, String> types = new HashMap<>();
        properties.forEach((field, mapping) -> types.put(field, String.valueOf(((Map<?, ?>) mapping).get("type"))));
        return types;
    }

    /**
     * A column type the index mapping cannot take: the sink rebuilds the index with the new type when it can ask
     * Debezium for the snapshot that fills it ({@link AutoRebuilds}), else the table is refused with the fix.
     */
    private Prepared rebuildFor(TableId table, String alias, Map<String, Object> properties, TypeConflict conflict)
            throws IOException {
        if (!autoRebuilds.enabled()) {
            throw new DataException(conflict.getMessage() + ". Rebuild the index (bin/cdc rebuild --table " + table
                    + "), or set " + SourceCheckConfig.URL + " and "
                    + SourceCheckConfig.SIGNAL_TABLE
                    + " so that the sink rebuilds it by itself", conflict);
        }
        String index = autoRebuilds.begin(table, alias, properties, conflict.getMessage());
        putMapping(table, index, properties, null); // a rebuild found after a restart may predate this schema
        return new Prepared(index, types(properties), Map.of(), Map.of());
    }

    /** Elasticsearch refused to change the type of a field of the mapping. */
    static final class TypeConflict extends DataException {
        TypeConflict(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Field types that hold the same values as each other; an index keeps the one its field has. */
    private static final List<Set<String>> INTERCHANGEABLE = List.of(Set.of("date", "date_nanos"),
            Set.of("short", "integer", "long"), Set.of("float", "double"));

    /** An index's mapping as far as this class cares: the type of each field, and a rewrite not yet applied. */
    private record Mapped(Map<String, String> types, Map<String, String> pendingRenames,
            Map<String, Object> pendingDefaults, SourceColumns recorded) {
    }

    @SuppressWarnings("unchecked")
    private Mapped mapped(String alias) throws IOException {
        Map<String, String> types = new HashMap<>();
        Map<String, String> renames = new LinkedHashMap<>();
        Map<String, Object> defaults = new LinkedHashMap<>();
        SourceColumns[] recorded = new SourceColumns[1];
        try {
            client.indices().getMapping(m -> m.index(alias)).result().values().forEach(index -> {
                index.mappings().properties().forEach((field, property) -> types.put(field, property._kind().jsonValue()));
                JsonData columns = index.mappings().meta().get(SOURCE_COLUMNS);
                if (columns != null) {
                    recorded[0] = SourceColumns.parse(columns.to(String.class));
                }
                JsonData pending = index.mappings().meta().get(PENDING_REWRITE);
                if (pending != null) {
                    Map<String, Object> change = pending.to(Map.class);
                    renames.putAll((Map<String, String>) change.getOrDefault("renames", Map.of()));
                    defaults.putAll((Map<String, Object>) change.getOrDefault("defaults", Map.of()));
                }
            });
        } catch (ElasticsearchException e) {
            throw refusal("reading the mapping of " + alias, e);
        }
        return new Mapped(types, renames, defaults, recorded[0]);
    }

    /**
     * A field keeps the type its index gave it when ours is of the same family: indices made before integers were
     * mapped as long, floats as double and timestamps as date keep short/integer, float and date_nanos (Elasticsearch
     * refuses to change a field's type, and the documents hold the same values either way).
     */
    @SuppressWarnings("unchecked")
    private static void keepExistingTypes(Map<String, String> existing, Map<String, Object> properties) {
        for (Map.Entry<String, Object> entry : properties.entrySet()) {
            Object type = ((Map<?, ?>) entry.getValue()).get("type");
            String had = existing.get(entry.getKey());
            if (had != null && !had.equals(type)
                    && INTERCHANGEABLE.stream().anyMatch(family -> family.contains(had) && family.contains(type))) {
                Map<String, Object> kept = new LinkedHashMap<>((Map<String, Object>) entry.getValue());
                kept.put("type", had);
                entry.setValue(kept);
            }
        }
    }

    /**
     * What the documents already written need after this schema change (with what an earlier run recorded and did
     * not finish): a column added with a default (Postgres's existing rows read it without a change being
     * streamed) gets it, a renamed column's value moves. Renames are told apart from the columns of before
     * ({@code before}: those this process saw, or after a restart those the mapping recorded).
     */
    private static DocumentRewrite.Change rewriteFor(Schema schema, List<Field> before,
            Mapped mapped) {
        Map<String, String> renames = new LinkedHashMap<>(mapped.pendingRenames());
        Map<String, Object> defaults = new LinkedHashMap<>(mapped.pendingDefaults());
        List<Field> now = sourceColumns(schema);
        if (before != null) {
            ColumnRenames.between(before, now).forEach((newName, oldName) -> {
                if (!mapped.types().containsKey(newName) && mapped.types().containsKey(oldName)) {
                    renames.put(newName, oldName);
                }
            });
        }
        for (Field field : now) {
            Object defaultValue = field.schema().defaultValue();
            if (!mapped.types().containsKey(field.name()) && !renames.containsKey(field.name()) && defaultValue != null) {
                defaults.put(field.name(), DocumentValues.value(field.schema(), defaultValue));
            }
        }
        return new DocumentRewrite.Change(renames, defaults);
    }

    /** The row's columns, without the CDC metadata fields of a flattened record. */
    private static List<Field> sourceColumns(Schema schema) {
        return schema.fields().stream().filter(f -> !CdcFields.isMetadata(f.name())).toList();
    }

    private void create(TableId table, String alias, Map<String, Object> properties, SourceColumns columns)
            throws IOException {
        String index = alias + "_v1";
        Map<String, Object> body = Map.of(
                "settings", config.indexSettings(table),
                "mappings", Map.of("dynamic", config.dynamic(), "properties", properties,
                        "_meta", Map.of(SOURCE_COLUMNS, columns.toJson())),
                "aliases", Map.of(alias, Map.of("is_write_index", true)));
        LOG.info("Creating Elasticsearch index {} behind alias {} for {} (gc_deletes {}, dynamic {}, {} fields)", index,
                alias, table, config.gcDeletes(), config.dynamic(), properties.size());
        try {
            client.indices().create(CreateIndexRequest.of(b -> b.index(index).withJson(json(body))
                    .waitForActiveShards(activeShards(config))));
        } catch (ElasticsearchException e) {
            if ("resource_already_exists_exception".equals(e.error().type())) {
                putMapping(table, alias, properties);
                return;
            }
            throw refusal("creating index " + index + " for " + table, e);
        }
    }

    private void putMapping(TableId table, String alias, Map<String, Object> properties) throws IOException {
        putMapping(table, alias, properties, null);
    }

    /** Adds the properties to the mapping; {@code meta}, unless null, replaces its {@code _meta}. */
    private void putMapping(TableId table, String alias, Map<String, Object> properties, Map<String, Object> meta)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("properties", properties);
        if (meta != null) {
            body.put("_meta", meta);
        }
        try {
            client.indices().putMapping(PutMappingRequest.of(b -> b.index(alias).withJson(json(body))));
        } catch (ElasticsearchException e) {
            throw refusal("updating the mapping of " + alias + " for " + table, e);
        }
    }

    /** The shard copies an index creation waits for ({@code wait.for.active.shards}). */
    static WaitForActiveShards activeShards(ElasticsearchSinkConfig config) {
        String wanted = config.waitForActiveShards();
        return wanted.equals("all") ? WaitForActiveShards.of(w -> w.option(WaitForActiveShardOptions.All))
                : WaitForActiveShards.of(w -> w.count(Integer.parseInt(wanted)));
    }

    static RuntimeException refusal(String what, ElasticsearchException e) {
        if (e.status() == 429 || e.status() >= 500) {
            return new RetriableException(what + " failed: " + e.getMessage(), e);
        }
        if (e.status() == 401 || e.status() == 403) {
            return new TargetUnavailableException(what + " was not allowed (" + e.status() + "): " + e.getMessage()
                    + ". " + BulkSender.ACCESS_FIX, e);
        }
        String reason = e.error().reason() == null ? "" : e.error().reason();
        if (reason.contains("maximum normal shards open")) {
            // The cluster's capacity, not the table's fault: pause with the fix rather than dead-letter every row.
            return new TargetUnavailableException(what + " failed: " + reason + ". Each table is an index: raise the "
                    + "cluster's cluster.max_shards_per_node, or give the indices fewer shards (" + ElasticsearchSinkConfig
                    .INDEX_SETTINGS + "={\"number_of_shards\": 1, \"number_of_replicas\": 0} on a single node); "
                    + "none is dead-lettered", e);
        }
        if (reason.contains("Limit of total fields")) {
            return new DataException(what + " failed: " + reason + ": raise the sink's "
                    + ElasticsearchSinkConfig.TOTAL_FIELDS_LIMIT + " above the table's field count (each column is a "
                    + "field, a text column two), or leave columns out of the index (ProtectPii drop), then replay "
                    + "the dead letters", e);
        }
        if ("illegal_argument_exception".equals(e.error().type()) && reason.contains("cannot be changed from type")) {
            return new TypeConflict(what + " failed: " + reason + " (a changed column type needs a new index)", e);
        }
        return new DataException(what + " failed: " + reason, e);
    }

    private static ByteArrayInputStream json(Object body) {
        try {
            return new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
