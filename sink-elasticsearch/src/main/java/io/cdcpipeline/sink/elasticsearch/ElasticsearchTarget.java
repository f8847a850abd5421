package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.ChangeBuffer;
import io.cdcpipeline.core.sink.ChangeTarget;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.core.sink.SendOutcome;
import io.cdcpipeline.core.sink.SourceFixes;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import io.cdcpipeline.core.snapshot.SnapshotSweeps;
import io.cdcpipeline.core.types.LogicalValues;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Elasticsearch does for the change-sink engine: a change becomes a versioned index or delete of its document
 * (in the alias of its table, and in the index a running rebuild fills), sent in {@code _bulk} requests whose items
 * are judged one by one ({@link BulkSender}).
 */
final class ElasticsearchTarget implements ChangeTarget<DocumentAction> {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchTarget.class);
    private static final TypeReference<LinkedHashMap<String, Object>> DOCUMENT = new TypeReference<>() { };

    private final ElasticsearchClient client;
    private final ElasticsearchSinkMetrics metrics;
    private final ChangeBuffer<DocumentAction> buffer;
    private final OutOfRangeValues outOfRange;
    private final Set<TableId> keylessAnnounced = new HashSet<>();
    private final Set<TableId> keylessWarned = new HashSet<>();
    private final IndexManager indices;
    private final BulkSender sender;
    private final ToastPlaceholder placeholder;
    /** The running rebuilds, as far as offsets go: started and swapped in by {@link #indices}. */
    private final ResyncedRebuilds<?> rebuilds;
    private final StaleDocuments staleDocuments;
    private final SnapshotSweeps sweeps;

    ElasticsearchTarget(ElasticsearchConnection connection, ElasticsearchSinkConfig config,
            ElasticsearchSinkMetrics metrics, ChangeBuffer<DocumentAction> buffer) {
        this.client = connection.client();
        this.metrics = metrics;
        this.buffer = buffer;
        AutoRebuilds autoRebuilds = new AutoRebuilds(config, client, connection.restClient(),
                new TableResync("Elasticsearch", config, metrics.sinkMetrics(), LOG));
        this.rebuilds = autoRebuilds.running();
        this.indices = new IndexManager(client, config, new DocumentRewrite(client, connection.restClient()),
                buffer::writeOutAll, autoRebuilds);
        this.outOfRange = new OutOfRangeValues(config.outOfRange(), metrics.sinkMetrics(), LOG);
        this.sender = new BulkSender(new RestBulkTransport(connection.restClient(), config.waitForActiveShards()), config.backoff(), metrics);
        this.placeholder = new ToastPlaceholder(config.toastPlaceholder());
        this.staleDocuments = new StaleDocuments(client, config, sender);
        this.sweeps = new SnapshotSweeps("elasticsearch", staleDocuments::existingAlias, metrics::staleRemoved,
                SourceCheckConfig.isSet(config) ? () -> SourceCheckConfig.connect(config) : null);
    }

    @Override
    public void onNotification(SnapshotNotification notification) {
        sweeps.onNotification(notification);
        indices.onNotification(notification);
    }

    @Override
    public List<DocumentAction> encode(SinkRecord record, ChangeEvent change) {
        List<DocumentAction> actions = change.hasPrimaryKey() ? List.of(action(record, change))
                : keylessActions(record, change);
        List<DocumentAction> withRebuilds = new ArrayList<>(actions.size() * 2);
        for (DocumentAction action : actions) {
            withRebuilds.add(action);
            String rebuild = indices.rebuildTarget(action.alias());
            if (rebuild != null) {
                withRebuilds.add(action.to(rebuild));
            }
        }
        return withRebuilds;
    }

    /**
     * The writes of a change to a table without a primary key, whose documents are identified by their content (see
     * {@link KeylessDocuments}): a versioned delete of the old row's document (known under REPLICA IDENTITY FULL)
     * and an index of the new row's, as the change has them.
     */
    private List<DocumentAction> keylessActions(SinkRecord record, ChangeEvent change) {
        String alias = indices.aliasFor(change);
        sweeps.onEvent(change, alias);
        if (keylessAnnounced.add(change.table())) {
            LOG.info("Table {} has no primary key: documents of {} are identified by their content (the hash of "
                    + "the row), so a replay writes the same document and a delete under REPLICA IDENTITY FULL "
                    + "finds it; rows equal in every column are one document", change.table(), alias);
        }
        long sourceTs = sourceTs(change);
        return KeylessDocuments.actions(change, placeholder, row -> document(change, alias, row), () -> {
            metrics.sinkMetrics().targetCounter(alias, "keyless-old-row-unknown", "Updates and deletes of this "
                    + "keyless table whose old row Debezium did not send (no REPLICA IDENTITY FULL)");
            if (keylessWarned.add(change.table())) {
                LOG.warn(SourceFixes.keylessWithoutOldRow(change.table(), "index " + alias + " keeps the old "
                        + "documents"));
            }
        }).stream().map(w -> new DocumentAction(record, alias, w.id(), change.changeVersion(), w.source(), sourceTs))
                .toList();
    }

    /** A row's document, each value fitted to its field. */
    private Map<String, Object> document(ChangeEvent change, String alias, Struct row) {
        Map<String, Object> document = new LinkedHashMap<>();
        Map<String, String> fieldFor = indices.fieldNames(change.table());
        for (Field field : change.columns()) {
            String name = fieldFor.getOrDefault(field.name(), field.name());
            document.put(name, columnValue(change, alias, field, name, row.getWithoutDefault(field.name())));
        }
        indices.defaults(change.table()).forEach(document::putIfAbsent);
        return document;
    }

    /** A column's JSON value, or the nearest value its field holds (under the strict policy: a refusal). */
    private Object columnValue(ChangeEvent change, String alias, Field field, String name, Object raw) {
        FieldRange range = indices.range(change.table(), name);
        if (range == FieldRange.ANY) {
            return DocumentValues.value(field.schema(), raw);
        }
        Object value = DocumentValues.parsedJson(field.schema(), LogicalValues.toJava(field.schema(), raw));
        Object stored = range.nearest(value);
        if (stored != value) {
            outOfRange.met(alias, name, value, stored, range.held(indices.fieldType(change.table(), name)),
                    () -> String.valueOf(change.key()));
        }
        return DocumentValues.toJson(stored);
    }

    /** The versioned write of a keyed change; unchanged-TOAST fields come from the version it replaces. */
    private DocumentAction action(SinkRecord record, ChangeEvent change) {
        String alias = indices.aliasFor(change);
        sweeps.onEvent(change, alias);
        String id = DocumentId.of(change.key());
        if (change.isDelete()) {
            return new DocumentAction(record, alias, id, change.changeVersion(), null, sourceTs(change));
        }
        Map<String, Object> document = new LinkedHashMap<>();
        List<String> holes = new ArrayList<>();
        Map<String, String> fieldFor = indices.fieldNames(change.table());
        for (Field field : change.columns()) {
            Object raw = change.after().getWithoutDefault(field.name());
            String name = fieldFor.getOrDefault(field.name(), field.name());
            if (placeholder.matches(raw)) {
                holes.add(name);
            } else {
                document.put(name, columnValue(change, alias, field, name, raw));
            }
        }
        if (!holes.isEmpty()) {
            Map<String, Object> previous = earlierDocument(alias, id);
            if (previous == null || !previous.keySet().containsAll(holes)) {
                throw new DataException(SourceFixes.toastWithoutEarlierValue(holes, "index " + alias
                        + " has no earlier version of document " + id, change.table()));
            }
            for (String hole : holes) {
                document.put(hole, previous.get(hole));
            }
        }
        indices.defaults(change.table()).forEach(document::putIfAbsent);
        try {
            // A full index with the change's version, not an _update (which takes no external version): the stale
            // guard stays, and the kept fields come from the version this one replaces.
            return new DocumentAction(record, alias, id, change.changeVersion(), Json.MAPPER.writeValueAsBytes(document),
                    sourceTs(change));
        } catch (JsonProcessingException e) {
            throw new DataException("cannot write the document as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The document's newest version: the newest buffered one, else the stored one once the buffer is written. */
    private Map<String, Object> earlierDocument(String alias, String id) {
        DocumentAction newest = buffer.newest(alias, id);
        if (newest != null && !newest.isDelete()) {
            try {
                return Json.MAPPER.readValue(newest.source(), DOCUMENT);
            } catch (IOException e) {
                throw new DataException("cannot read back buffered document " + id + ": " + e.getMessage(), e);
            }
        }
        buffer.writeOut(alias); // an older stored version must not win over one still buffered
        return stored(alias, id);
    }

    /** The stored source of a document (a realtime get: no refresh needed), or null. */
    @SuppressWarnings({"unchecked", "rawtypes"}) // the client reads a source into a Class: Map.class is raw
    private Map<String, Object> stored(String alias, String id) {
        try {
            MgetResponse<Map> response = client.mget(m -> m.index(alias).ids(id), Map.class);
            for (MultiGetResponseItem<Map> item : response.docs()) {
                if (item.isResult() && item.result().found()) {
                    return item.result().source();
                }
            }
            return null;
        } catch (IOException e) {
            throw new RetriableException("reading document " + id + " of " + alias + " failed: " + e.getMessage(), e);
        }
    }

    private static long sourceTs(ChangeEvent change) {
        return change.sourceCommitTime() == null ? 0 : change.sourceCommitTime().toEpochMilli();
    }

    @Override
    public void truncate(ChangeEvent change) {
        try {
            indices.truncated(change.table());
        } catch (IOException | ElasticsearchException e) {
            throw new RetriableException("handling the truncate of " + change.table() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public SendOutcome<DocumentAction> send(List<DocumentAction> request) {
        BulkSender.Outcome outcome = sender.send(request);
        metrics.applied(outcome.applied(), outcome.stale());
        List<SendOutcome.Refused> refused = outcome.refused().stream()
                .map(r -> new SendOutcome.Refused(r.action().record(), r.reason())).toList();
        return new SendOutcome<>(refused, outcome.leftOver());
    }

    /** Of several writes of one document, the newest version only; the others count as stale. */
    @Override
    public List<DocumentAction> worthSending(List<DocumentAction> writes) {
        List<DocumentAction> newest = NewestVersions.of(writes);
        metrics.applied(List.of(), writes.size() - newest.size());
        return newest;
    }

    @Override
    public boolean flushWanted() {
        return sweeps.hasPending() || indices.hasRebuildScansPending();
    }

    @Override
    public void tick() {
        indices.completeRebuilds();
    }

    @Override
    public void everythingWritten() {
        sweeps.sweep(staleDocuments, staleDocuments);
        indices.everythingWritten();
    }

    @Override
    public ResyncedRebuilds<?> rebuilds() {
        return rebuilds;
    }

    @Override
    public void handOver(TableId table) {
        indices.handOver(table);
    }
}
