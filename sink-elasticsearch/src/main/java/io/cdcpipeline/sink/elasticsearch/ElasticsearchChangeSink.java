package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.BufferedSink;
import io.cdcpipeline.core.sink.DeadLetters;
import io.cdcpipeline.core.sink.OffsetTracker;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.PartitionTables;
import io.cdcpipeline.core.sink.PendingChanges;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.core.sink.SourceFixes;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import io.cdcpipeline.core.snapshot.SnapshotSweeps;
import io.cdcpipeline.core.types.LogicalValues;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns change records into versioned Elasticsearch writes: buffered, sent as {@code _bulk} requests bounded by
 * actions and bytes (and a linger time), with up to {@code max.in.flight.requests} in flight; order between
 * requests does not matter because every write carries its change version ({@code version_type=external}).
 * Offsets are acknowledged only when everything accepted before them is in Elasticsearch or dead-lettered.
 */
final class ElasticsearchChangeSink implements BufferedSink {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchChangeSink.class);

    private final ElasticsearchClient client;
    private final ElasticsearchSinkConfig config;
    private final DeadLetters deadLetters;
    private final ElasticsearchSinkMetrics metrics;
    private final OutOfRangeValues outOfRange;
    private final Set<TableId> keylessAnnounced = new HashSet<>();
    private final Set<TableId> keylessWarned = new HashSet<>();
    private final IndexManager indices;
    private final BulkSender sender;
    private final ToastPlaceholder placeholder;
    private final ExecutorService executor;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private final OffsetTracker offsets = new OffsetTracker();
    private final PartitionTables partitionTables = new PartitionTables();
    /** The running rebuilds, as far as offsets go: started and swapped in by {@link #indices}. */
    private final ResyncedRebuilds<?> rebuilds;
    private final StaleDocuments staleDocuments;
    private final SnapshotSweeps sweeps;

    private List<DocumentAction> buffer = new ArrayList<>();
    private long bufferedBytes;
    private long oldestBufferedAt;

    private record InFlight(List<DocumentAction> actions, Future<BulkSender.Outcome> outcome) {
    }

    ElasticsearchChangeSink(ElasticsearchConnection connection, ElasticsearchSinkConfig config, DeadLetters deadLetters,
            ElasticsearchSinkMetrics metrics) {
        this.client = connection.client();
        this.config = config;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        AutoRebuilds autoRebuilds = new AutoRebuilds(config, client, connection.restClient(),
                new TableResync("Elasticsearch", config, metrics.sinkMetrics(), LOG));
        this.rebuilds = autoRebuilds.running();
        this.indices = new IndexManager(client, config, new DocumentRewrite(client, connection.restClient()),
                this::writeEverythingAccepted, autoRebuilds);
        this.outOfRange = new OutOfRangeValues(config.outOfRange(), metrics.sinkMetrics(), LOG);
        this.sender = new BulkSender(new RestBulkTransport(connection.restClient()), config.backoff(), metrics);
        this.placeholder = new ToastPlaceholder(config.toastPlaceholder());
        this.staleDocuments = new StaleDocuments(client, config, sender);
        this.sweeps = new SnapshotSweeps("elasticsearch", staleDocuments::existingAlias, metrics::staleRemoved,
                SourceCheckConfig.isSet(config) ? () -> SourceCheckConfig.connect(config) : null);
        this.executor = Executors.newFixedThreadPool(config.maxInFlight(), r -> {
            Thread thread = new Thread(r, "elasticsearch-sink-bulk");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public synchronized void put(Collection<SinkRecord> records) {
        if (bufferFull()) {
            flush(); // throws RetriableException before anything of this batch is accepted
        }
        Map<String, Map<String, Object>> written = new HashMap<>(); // alias/id -> newest source, for TOAST holes
        boolean flushedForToast = false;
        for (SinkRecord record : records) {
            if (SnapshotNotification.isNotification(record)) {
                SnapshotNotification notification = SnapshotNotification.of(record);
                sweeps.onNotification(notification);
                indices.onNotification(notification);
                continue;
            }
            try {
                ChangeEvent event = ChangeEvent.of(record);
                partitionTables.seen(record, event.table());
                if (event.operation() == Operation.TRUNCATE) {
                    writeEverythingAccepted(); // no document from before the truncate may reach the rebuilt index
                    truncated(record, event);
                    rebuilds.seen(event.table(), record);
                    continue;
                }
                if (!event.hasPrimaryKey() && event.operation() != Operation.TOMBSTONE) {
                    keylessActions(record, event).forEach(this::addWithRebuild);
                    rebuilds.seen(event.table(), record);
                    continue;
                }
                Prepared prepared = toAction(record, event, written, flushedForToast);
                if (prepared.readStoredFirst()) {
                    drain();
                    if (!buffer.isEmpty()) {
                        throw new RetriableException("documents before an unchanged-TOAST update could not be "
                                + "written yet; the batch is delivered again");
                    }
                    flushedForToast = true;
                    prepared = toAction(record, event, written, true);
                }
                if (prepared.action() != null) {
                    addWithRebuild(prepared.action());
                }
                rebuilds.seen(event.table(), record); // after the rebuild this record may have started
            } catch (DataException e) {
                deadLetter(record, e);
            }
        }
        offsets.accepted(records);
        publishBuffered();
        if (sweeps.hasPending()) {
            try {
                flush();
            } catch (RetriableException e) {
                LOG.warn("A snapshot sweep waits until the documents before it are written: {}", e.getMessage());
            }
        } else if (bufferFull() || due()) {
            sendBuffer();
        }
    }

    private void truncated(SinkRecord record, ChangeEvent event) {
        try {
            indices.truncated(event.table());
        } catch (DataException e) {
            throw new DataException(ChangeEvent.describe(record) + ": " + e.getMessage(), e);
        } catch (IOException | co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
            throw new RetriableException("handling the truncate of " + event.table() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * What a change becomes: a write, nothing (a tombstone: the delete before it wrote the versioned delete), or
     * "write what is buffered and read the stored document first" when its unchanged-TOAST fields must come from
     * Elasticsearch.
     */
    private record Prepared(DocumentAction action, boolean readStoredFirst) {
        static final Prepared NOTHING = new Prepared(null, false);
        static final Prepared READ_STORED_FIRST = new Prepared(null, true);

        static Prepared write(DocumentAction action) {
            return new Prepared(action, false);
        }
    }

    private void addWithRebuild(DocumentAction action) {
        add(action);
        String rebuild = indices.rebuildTarget(action.alias());
        if (rebuild != null) {
            add(action.to(rebuild));
        }
    }

    /**
     * The writes of a change to a table without a primary key, whose documents are identified by their content (see
     * {@link KeylessDocuments}): a versioned delete of the old row's document (known under REPLICA IDENTITY FULL)
     * and an index of the new row's, as the change has them.
     */
    private List<DocumentAction> keylessActions(SinkRecord record, ChangeEvent event) {
        try {
            String alias = indices.aliasFor(event);
            sweeps.onEvent(event, alias);
            if (keylessAnnounced.add(event.table())) {
                LOG.info("Table {} has no primary key: documents of {} are identified by their content (the hash of "
                        + "the row), so a replay writes the same document and a delete under REPLICA IDENTITY FULL "
                        + "finds it; rows equal in every column are one document", event.table(), alias);
            }
            long sourceTs = event.sourceCommitTime() == null ? 0 : event.sourceCommitTime().toEpochMilli();
            return KeylessDocuments.actions(event, placeholder, row -> document(event, alias, row), () -> {
                metrics.sinkMetrics().targetCounter(alias, "keyless-old-row-unknown", "Updates and deletes of this "
                        + "keyless table whose old row Debezium did not send (no REPLICA IDENTITY FULL)");
                if (keylessWarned.add(event.table())) {
                    LOG.warn(SourceFixes.keylessWithoutOldRow(event.table(), "index " + alias + " keeps the old "
                            + "documents"));
                }
            }).stream().map(w -> new DocumentAction(record, alias, w.id(), event.changeVersion(), w.source(), sourceTs))
                    .toList();
        } catch (DataException e) {
            throw new DataException(ChangeEvent.describe(record) + " (" + event.table() + "): " + e.getMessage(), e);
        }
    }

    /** A row's document, each value fitted to its field. */
    private Map<String, Object> document(ChangeEvent event, String alias, Struct row) {
        Map<String, Object> document = new LinkedHashMap<>();
        Map<String, String> fieldFor = indices.fieldNames(event.table());
        for (Field field : event.columns()) {
            String name = fieldFor.getOrDefault(field.name(), field.name());
            document.put(name, columnValue(event, alias, field, name, row.getWithoutDefault(field.name())));
        }
        indices.defaults(event.table()).forEach(document::putIfAbsent);
        return document;
    }

    /** A column's JSON value, or the nearest value its field holds (under the strict policy: a refusal). */
    private Object columnValue(ChangeEvent event, String alias, Field field, String name, Object raw) {
        FieldRange range = indices.range(event.table(), name);
        if (range == FieldRange.ANY) {
            return DocumentValues.value(field.schema(), raw);
        }
        Object value = DocumentValues.parsedJson(field.schema(), LogicalValues.toJava(field.schema(), raw));
        Object stored = range.nearest(value);
        if (stored != value) {
            outOfRange.met(alias, name, value, stored, range.held(indices.fieldType(event.table(), name)),
                    () -> String.valueOf(event.key()));
        }
        return DocumentValues.toJson(stored);
    }

    private Prepared toAction(SinkRecord record, ChangeEvent event, Map<String, Map<String, Object>> written,
            boolean flushed) {
        if (event.operation() == Operation.TOMBSTONE) {
            return Prepared.NOTHING;
        }
        try {
            String alias = indices.aliasFor(event);
            sweeps.onEvent(event, alias);
            String id = DocumentId.of(event.key());
            long sourceTs = event.sourceCommitTime() == null ? 0 : event.sourceCommitTime().toEpochMilli();
            if (event.isDelete()) {
                written.remove(alias + "/" + id);
                return Prepared.write(new DocumentAction(record, alias, id, event.changeVersion(), null, sourceTs));
            }
            Map<String, Object> document = new LinkedHashMap<>();
            List<String> holes = new ArrayList<>();
            Map<String, String> fieldFor = indices.fieldNames(event.table());
            for (Field field : event.columns()) {
                Object raw = event.after().getWithoutDefault(field.name());
                String name = fieldFor.getOrDefault(field.name(), field.name());
                if (placeholder.matches(raw)) {
                    holes.add(name);
                } else {
                    document.put(name, columnValue(event, alias, field, name, raw));
                }
            }
            if (!holes.isEmpty()) {
                Map<String, Object> previous = written.get(alias + "/" + id);
                if (previous == null && !flushed) {
                    return Prepared.READ_STORED_FIRST;
                }
                if (previous == null) {
                    previous = stored(alias, id);
                }
                if (previous == null || !previous.keySet().containsAll(holes)) {
                    throw new DataException(SourceFixes.toastWithoutEarlierValue(holes, "index " + alias
                            + " has no earlier version of document " + id, event.table()));
                }
                for (String hole : holes) {
                    document.put(hole, previous.get(hole));
                }
            }
            indices.defaults(event.table()).forEach(document::putIfAbsent);
            written.put(alias + "/" + id, document);
            // A full index with the change's version, not an _update (which takes no external version): the stale
            // guard stays, and the kept fields come from the version this one replaces.
            return Prepared.write(new DocumentAction(record, alias, id, event.changeVersion(),
                    Json.MAPPER.writeValueAsBytes(document), sourceTs));
        } catch (DataException e) {
            throw new DataException(ChangeEvent.describe(record) + " (" + event.table() + "): " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new DataException(ChangeEvent.describe(record) + ": cannot write the document as JSON: "
                    + e.getOriginalMessage(), e);
        }
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

    private void add(DocumentAction action) {
        buffer.add(action);
        bufferedBytes += action.bytes();
        if (oldestBufferedAt == 0) {
            oldestBufferedAt = System.currentTimeMillis();
        }
        if (buffer.size() >= config.batchMaxActions() || bufferedBytes >= config.batchMaxBytes()) {
            sendBuffer();
        }
    }

    /** Sends what is buffered if it is old enough; called on a timer as well as from put. */
    @Override
    public synchronized void flushIfDue() {
        indices.completeRebuilds();
        if (!buffer.isEmpty() && due()) {
            sendBuffer();
        }
        collectFinished();
        publishBuffered();
    }

    /** Sends everything, waits for every request, then reports the acknowledged part of {@code current}. */
    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current) {
        try {
            flush();
        } catch (RetriableException e) {
            LOG.warn("Documents could not be written yet and stay buffered ({}): {}", buffer.size(), e.getMessage());
        }
        publishBuffered();
        return rebuilds.holdBack(offsets.committable(current));
    }

    @Override
    public synchronized void partitionsMove() {
        rebuilds.partitionsMove();
    }

    @Override
    public synchronized void forget(Collection<TopicPartition> partitions) {
        offsets.forget(partitions);
        partitionTables.revoke(partitions).forEach(indices::handOver);
    }

    /**
     * Sends the buffer and waits for all requests, then runs the sweeps of completed snapshots (which must see every
     * document before them); on success everything accepted is acknowledged, so a restart never skips a sweep.
     */
    private void flush() {
        writeEverythingAccepted();
        sweeps.sweep(staleDocuments, staleDocuments);
        offsets.acknowledgeAccepted();
    }

    /** Every write accepted so far is in Elasticsearch (before a flush, and before documents are rewritten). */
    private void writeEverythingAccepted() {
        drain();
        if (!buffer.isEmpty()) {
            throw new RetriableException(buffer.size() + " documents could not be written to Elasticsearch yet");
        }
    }

    private void drain() {
        sendBuffer();
        while (!inFlight.isEmpty()) {
            await(inFlight.pollFirst());
        }
    }

    /** Hands the buffer (in requests of at most the configured size) to the senders, waiting for a free slot. */
    private void sendBuffer() {
        if (buffer.isEmpty()) {
            return;
        }
        List<DocumentAction> all = NewestVersions.of(buffer);
        metrics.applied(List.of(), buffer.size() - all.size()); // superseded here: as stale as a refused older version
        buffer = new ArrayList<>();
        bufferedBytes = 0;
        oldestBufferedAt = 0;
        List<DocumentAction> request = new ArrayList<>();
        long bytes = 0;
        for (DocumentAction action : all) {
            if (!request.isEmpty() && (request.size() >= config.batchMaxActions()
                    || bytes + action.bytes() > config.batchMaxBytes())) {
                submit(request);
                request = new ArrayList<>();
                bytes = 0;
            }
            request.add(action);
            bytes += action.bytes();
        }
        submit(request);
        publishBuffered();
    }

    private void submit(List<DocumentAction> request) {
        collectFinished();
        while (inFlight.size() >= config.maxInFlight()) {
            await(inFlight.pollFirst());
        }
        inFlight.addLast(new InFlight(request, executor.submit(() -> sender.send(request))));
    }

    private void collectFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcome().isDone()) {
            await(inFlight.pollFirst());
        }
    }

    /** Takes a finished request's outcome on this thread: dead letters reported, leftovers buffered again. */
    private void await(InFlight request) {
        BulkSender.Outcome outcome;
        try {
            outcome = request.outcome().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requeue(request.actions());
            throw new ConnectException("interrupted while waiting for a _bulk request", e);
        } catch (ExecutionException e) {
            requeue(request.actions());
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException runtime ? runtime : new ConnectException(cause);
        }
        metrics.applied(outcome.applied(), outcome.stale());
        for (BulkSender.Refused refused : outcome.refused()) {
            deadLetter(refused.action().record(), refused.reason());
        }
        if (!outcome.leftOver().isEmpty()) {
            requeue(outcome.leftOver());
        }
    }

    private void requeue(List<DocumentAction> actions) {
        for (DocumentAction action : actions) {
            buffer.add(action);
            bufferedBytes += action.bytes();
        }
        if (oldestBufferedAt == 0 && !buffer.isEmpty()) {
            oldestBufferedAt = System.currentTimeMillis();
        }
        publishBuffered();
    }

    /** Buffered documents and, per index, the changes not yet acknowledged (buffered or in a request in flight). */
    private void publishBuffered() {
        metrics.buffered(buffer.size());
        PendingChanges pending = new PendingChanges();
        buffer.forEach(action -> pending.add(action.alias(), action.sourceTsMs()));
        inFlight.forEach(request -> request.actions().forEach(action -> pending.add(action.alias(), action.sourceTsMs())));
        metrics.pending(pending);
    }

    private boolean bufferFull() {
        return buffer.size() >= config.batchMaxActions() * 10L || bufferedBytes >= config.batchMaxBytes() * 10;
    }

    private boolean due() {
        return oldestBufferedAt > 0 && System.currentTimeMillis() - oldestBufferedAt >= config.batchLingerMs();
    }

    private void deadLetter(SinkRecord record, Throwable reason) {
        deadLetters.report(record, reason);
        metrics.deadLettered();
    }

    @Override
    public synchronized void close() {
        executor.shutdownNow();
        if (!buffer.isEmpty()) {
            LOG.info("Stopping with {} documents not written; Connect delivers them again", buffer.size());
        }
    }
}
