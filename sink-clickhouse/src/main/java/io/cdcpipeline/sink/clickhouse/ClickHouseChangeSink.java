package io.cdcpipeline.sink.clickhouse;

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
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.SourceFixes;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.sink.TargetSources;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import io.cdcpipeline.core.snapshot.SnapshotSweeps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns change records into versioned ClickHouse rows, buffered per table and inserted when a batch is big enough
 * (rows or bytes), old enough (linger) or a commit is due. Nothing is updated in place: ReplacingMergeTree keeps the
 * highest version of each key, so a replay can never make an older version win. Offsets are reported as
 * acknowledged only when everything buffered up to them is in ClickHouse (or in the dead-letter queue).
 */
final class ClickHouseChangeSink implements BufferedSink {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseChangeSink.class);

    private final ClickHouseConnection connection;
    private final ClickHouseSinkConfig config;
    private final DeadLetters deadLetters;
    private final ClickHouseSinkMetrics metrics;
    private final RetryBackoff backoff;
    private final RetryBackoff.Failures retries;
    private final TableManager tables;
    private final RowEncoder encoder;
    private final ToastPlaceholder placeholder;
    private final ToastResolver toast;
    private final InsertPipeline inserts;
    private final int batchMaxRows;
    private final long batchMaxBytes;
    private final long batchLingerMs;

    private final Map<String, TableBatch> batches = new LinkedHashMap<>();
    /** The batch of the insert in flight, pending until it is awaited. */
    private String inFlightTable;
    private TableBatch inFlightBatch;
    /**
     * The newest row per key of a table, for filling unchanged-TOAST holes. Built from the table's buffered rows when
     * the first hole of a put needs it (holes are rare: most tables never pay for it), then kept up to date and kept
     * through flushes until the put ends (a flushed row is still the newest version the sink knows).
     */
    private final Map<String, Map<ByteKey, EncodedRow>> recent = new HashMap<>();
    private int bufferedRows;
    private long bufferedBytes;
    private long oldestBufferedAt;
    private final OffsetTracker offsets = new OffsetTracker();
    private final Set<TableId> keylessWarned = new HashSet<>();
    private final SnapshotSweeps sweeps;
    private final TargetSources targetSources = new TargetSources();
    private final ClickHouseTargetRows targetRows;
    private final TableRebuilds rebuilds;
    private final PartitionTables partitionTables = new PartitionTables();

    ClickHouseChangeSink(ClickHouseConnection connection, ClickHouseSinkConfig config, DeadLetters deadLetters,
            ClickHouseSinkMetrics metrics) {
        this.connection = connection;
        this.config = config;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.backoff = config.backoff();
        this.batchMaxRows = config.batchMaxRows();
        this.batchMaxBytes = config.batchMaxBytes();
        this.batchLingerMs = config.batchLingerMs();
        this.retries = ClickHouseFailure.retries(metrics::retried);
        this.rebuilds = new TableRebuilds(config,
                new TableResync("ClickHouse", config, metrics.sinkMetrics(), LOG));
        this.tables = new TableManager(connection, config, backoff, retries, this::flushTableAndWait, rebuilds);
        this.placeholder = new ToastPlaceholder(config.toastPlaceholder());
        this.encoder = new RowEncoder(placeholder,
                new OutOfRangeValues(config.outOfRange(), metrics.sinkMetrics(), LOG));
        this.toast = new ToastResolver(connection, backoff, retries);
        this.inserts = new InsertPipeline(new BatchInserter(connection, backoff, metrics));
        this.sweeps = new SnapshotSweeps("clickhouse", tables::existingTable, metrics::staleRemoved,
                SourceCheckConfig.isSet(config) ? () -> SourceCheckConfig.connect(config) : null);
        this.targetRows = new ClickHouseTargetRows(connection, tables, backoff, retries);
    }

    /**
     * Accepts a batch of records. If the buffer is still full from a failed flush, the batch is refused with a
     * {@link RetriableException} (Connect delivers it again); otherwise every record is buffered or dead-lettered.
     */
    @Override
    public synchronized void put(Collection<SinkRecord> records) {
        if (isFull()) {
            flush(); // throws RetriableException, before anything of this batch is accepted
        }
        List<Parsed> parsed = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            if (SnapshotNotification.isNotification(record)) {
                parsed.add(new Parsed(record, null)); // taken in its place among the changes, below
                continue;
            }
            try {
                parsed.add(new Parsed(record, ChangeEvent.of(record)));
            } catch (DataException e) {
                deadLetter(record, e);
            }
        }
        prepareTables(parsed);
        Map<TableId, Map<ByteKey, Map<String, byte[]>>> stored = new HashMap<>();
        for (Parsed p : parsed) {
            accept(p, parsed, stored);
        }
        offsets.accepted(records);
        recent.clear();
        publishBuffered();
        if (isFull() || isDue() || sweeps.hasPending() || rebuilds.anyCheckDue()) {
            tryFlush();
        }
    }

    /**
     * Creates the tables the batch is the first to write, before any record of it is accepted, so that a target
     * taking no write (a missing database, a refused grant) pauses the sink with the whole batch given back, not half
     * of it buffered. With auto.create.database a missing database is created here and the table prepared again.
     * Tables already known are left to {@link #accept}: a batch may change a table's schema several times, and each
     * change must come in its place among the rows.
     */
    private void prepareTables(List<Parsed> parsed) {
        Set<TableId> seen = new HashSet<>();
        for (Parsed p : parsed) {
            ChangeEvent event = p.event;
            if (event == null || event.operation() == Operation.TOMBSTONE || event.operation() == Operation.TRUNCATE
                    || !seen.add(event.table()) || tables.knows(event.table())) {
                continue;
            }
            try {
                targetSources.check(event.table(), event);
                tables.layoutFor(event);
            } catch (DataException e) {
                // The record is dead-lettered with this reason in accept(), in its place in the batch.
            } catch (TargetUnavailableException e) {
                if (!config.autoCreateDatabase() || !ClickHouseFailure.isMissingDatabase(e)) {
                    throw e;
                }
                LOG.warn("Database {} is missing; creating it ({}=true)", config.database(),
                        ClickHouseSinkConfig.AUTO_CREATE_DATABASE);
                DatabaseCreator.create(connection, config);
                tables.forget(event.table());
                tables.layoutFor(event);
            }
        }
    }

    private void accept(Parsed p, List<Parsed> all, Map<TableId, Map<ByteKey, Map<String, byte[]>>> stored) {
        ChangeEvent event = p.event;
        if (event == null) {
            SnapshotNotification notification = SnapshotNotification.of(p.record);
            sweeps.onNotification(notification);
            rebuilds.onNotification(notification);
            return;
        }
        partitionTables.seen(p.record, event.table());
        if (event.operation() == Operation.TOMBSTONE) {
            return; // the delete before it already wrote the versioned marker
        }
        if (event.operation() == Operation.TRUNCATE) {
            truncate(event);
            return;
        }
        try {
            targetSources.check(event.table(), event); // before the table is created or altered for it
            RowLayout layout = tables.layoutFor(event);
            rebuilds.running().seen(event.table(), p.record);
            sweeps.onEvent(event, layout.table());
            if (layout.keyless()) {
                for (EncodedRow row : encoder.encodeKeyless(event, layout, p.record, () -> withoutOldRow(event, layout))) {
                    buffer(layout, row);
                }
                return;
            }
            EncodedRow row = encoder.encode(event, layout, p.record);
            if (row.hasHoles()) {
                row = fillHoles(row, event, all, stored);
            }
            buffer(layout, row);
        } catch (DataException e) {
            deadLetter(p.record, new DataException(ChangeEvent.describe(p.record) + " (" + event.table() + "): "
                    + e.getMessage(), e));
        }
    }

    private void buffer(RowLayout layout, EncodedRow row) {
        TableBatch batch = batches.computeIfAbsent(layout.table(), t -> new TableBatch());
        batch.add(row);
        Map<ByteKey, EncodedRow> index = recent.get(layout.table());
        if (index != null) {
            index.put(row.key(), row);
        }
        bufferedRows++;
        bufferedBytes += row.data().length;
        if (oldestBufferedAt == 0) {
            oldestBufferedAt = System.currentTimeMillis();
        }
        if (batch.rows >= batchMaxRows) {
            tryFlushTable(layout.table());
        } else if (bufferedBytes >= batchMaxBytes) {
            tryFlush();
        }
    }

    /**
     * An update or delete of a table without a primary key whose old row Debezium did not send (no REPLICA IDENTITY
     * FULL): the copy cannot tell which row it was. Counted, and logged once per table with the fix.
     */
    private void withoutOldRow(ChangeEvent event, RowLayout layout) {
        metrics.keylessOldRowUnknown(ClickHouseSinkMetrics.target(layout.table()));
        if (keylessWarned.add(event.table())) {
            LOG.warn(SourceFixes.keylessWithoutOldRow(event.table(), "the ClickHouse copy keeps the old rows (an "
                    + "update adds its new row; counted in table-keyless-old-row-unknown-total)"));
        }
    }

    /**
     * Fills unchanged-TOAST holes with the value the key last had: from the newest buffered row of that key if
     * there is one, else from what ClickHouse stores (read once per table and batch).
     */
    private EncodedRow fillHoles(EncodedRow row, ChangeEvent event, List<Parsed> all,
            Map<TableId, Map<ByteKey, Map<String, byte[]>>> stored) {
        EncodedRow previous = recent.computeIfAbsent(row.layout().table(), this::indexBuffered).get(row.key());
        byte[][] values = new byte[row.holes().length][];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < row.holes().length; i++) {
            String column = row.layout().fields().get(row.holes()[i]).name();
            byte[] value = previous == null ? null : previous.cell(column);
            if (value == null) {
                Map<ByteKey, Map<String, byte[]>> fromClickHouse = stored.computeIfAbsent(event.table(),
                        t -> readStored(row.layout(), event.table(), all));
                Map<String, byte[]> storedRow = fromClickHouse.get(row.key());
                value = storedRow == null ? null : storedRow.get(column);
            }
            values[i] = value;
        }
        fillFromReplacedTable(row, event, values);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                missing.add(row.layout().fields().get(row.holes()[i]).name());
            }
        }
        if (!missing.isEmpty()) {
            throw new DataException(SourceFixes.toastWithoutEarlierValue(missing,
                    "ClickHouse has no earlier version of this key", event.table()));
        }
        return row.filled(values);
    }

    /**
     * While a table is rebuilt, a row the snapshot has not reached yet is only in the table the rebuild replaces:
     * its holes are filled from there, for the columns it holds as they are written now.
     */
    private void fillFromReplacedTable(EncodedRow row, ChangeEvent event, byte[][] values) {
        String replaced = tables.replacedByRebuild(event.table());
        if (replaced == null) {
            return;
        }
        Set<String> columns = new HashSet<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                columns.add(row.layout().fields().get(row.holes()[i]).name());
            }
        }
        if (columns.isEmpty() || !tables.holdsAsIs(replaced, row.layout(), columns)) {
            return;
        }
        Map<String, byte[]> stored = toast.storedValues(row.layout().in(replaced), List.of(event), columns)
                .get(row.key());
        for (int i = 0; i < values.length && stored != null; i++) {
            if (values[i] == null) {
                values[i] = stored.get(row.layout().fields().get(row.holes()[i]).name());
            }
        }
    }

    private Map<ByteKey, EncodedRow> indexBuffered(String table) {
        Map<ByteKey, EncodedRow> index = new HashMap<>();
        TableBatch batch = batches.get(table);
        if (batch != null) {
            batch.rowsByLayout.values().forEach(rows -> rows.forEach(r -> index.put(r.key(), r)));
        }
        return index;
    }

    private Map<ByteKey, Map<String, byte[]>> readStored(RowLayout layout, TableId table, List<Parsed> all) {
        List<ChangeEvent> withHoles = new ArrayList<>();
        Set<String> columns = new HashSet<>();
        for (Parsed p : all) {
            if (p.event != null && p.event.table().equals(table) && p.event.after() != null && p.event.hasPrimaryKey()) {
                boolean any = false;
                for (Field field : p.event.after().schema().fields()) {
                    if (placeholder.matches(p.event.after().getWithoutDefault(field.name()))) {
                        columns.add(field.name());
                        any = true;
                    }
                }
                if (any) {
                    withHoles.add(p.event);
                }
            }
        }
        // What is buffered is not in ClickHouse yet, and an older stored value must not win over it: flush first.
        flushTableAndWait(layout.table());
        return toast.storedValues(layout, withHoles, columns);
    }

    private void truncate(ChangeEvent event) {
        String table = tables.existingTable(event.table());
        if (table == null) {
            return;
        }
        flushTableAndWait(table); // rows older than the truncate must be in before the delete runs
        // Version-aware, so a truncate replayed after newer rows arrived removes only what it removed the first time.
        String sql = "ALTER TABLE " + table + " DELETE WHERE " + CdcColumns.VERSION + " < " + event.changeVersion();
        backoff.run(sql, () -> connection.execute(sql), retries);
        LOG.info("Source table {} was truncated: rows of {} older than version {} are being deleted", event.table(),
                table, event.changeVersion());
    }

    /**
     * Inserts what is buffered, if the batch is full or old enough, and looks at the running rebuilds when it is
     * time; called on a timer as well as from put.
     */
    @Override
    public synchronized void flushIfDue() {
        if (bufferedRows > 0 && (isFull() || isDue()) || rebuilds.anyCheckDue()) {
            tryFlush();
        }
    }

    /**
     * Inserts everything buffered, then reports which of {@code current} offsets ClickHouse has acknowledged. If
     * the flush fails, only earlier acknowledged offsets are reported and the rows stay buffered.
     */
    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current) {
        tryFlush();
        return rebuilds.running().holdBack(offsets.committable(current));
    }

    @Override
    public synchronized void partitionsMove() {
        rebuilds.running().partitionsMove();
    }

    @Override
    public synchronized void forget(Collection<TopicPartition> partitions) {
        offsets.forget(partitions);
        for (TableId table : partitionTables.revoke(partitions)) {
            rebuilds.handOver(table);
            tables.forget(table);
        }
    }

    /** A batch that reached its row limit goes now; if ClickHouse is away it stays and the next put retries. */
    private void tryFlushTable(String table) {
        try {
            flushTable(table);
        } catch (RetriableException e) {
            LOG.warn("A full batch for {} could not be written yet and stays buffered: {}", table, e.getMessage());
        }
    }

    private void tryFlush() {
        try {
            flush();
        } catch (RetriableException e) {
            LOG.warn("Buffered rows could not be written yet and stay buffered ({} rows): {}", bufferedRows, e.getMessage());
        }
    }

    /**
     * Inserts every buffered batch, then runs the sweeps of completed snapshots (which must see every row before
     * them); on success every accepted offset is acknowledged, so a sweep is never skipped by a restart.
     */
    private void flush() {
        for (String table : new ArrayList<>(batches.keySet())) {
            flushTable(table);
        }
        awaitInserts();
        if (bufferedRows == 0) {
            oldestBufferedAt = 0;
            sweeps.sweep(tables::removeOlderThan, targetRows);
            for (TableId rebuilt : rebuilds.due(targetRows::liveCount)) {
                rebuilds.swapped(rebuilt, tables.swapIn(rebuilt));
            }
            offsets.acknowledgeAccepted();
        }
        publishBuffered();
    }

    /** Hands a table's buffered rows to the insert pipeline (after the insert before them has finished). */
    private void flushTable(String table) {
        awaitInserts(); // a failure of the insert in flight is thrown before this batch leaves the buffer
        TableBatch batch = batches.remove(table);
        if (batch == null) {
            return;
        }
        bufferedRows -= batch.rows;
        bufferedBytes -= batch.bytes;
        if (batches.isEmpty()) {
            oldestBufferedAt = 0;
        }
        inserts.submit(batch.rowsByLayout, this::refused, this::requeue);
        inFlightTable = table; // the insert before it has finished: submit waited for it
        inFlightBatch = batch;
        publishBuffered();
    }

    /** For DDL and reads that must see every row written so far. */
    private void flushTableAndWait(String table) {
        flushTable(table);
        awaitInserts();
    }

    private void awaitInserts() {
        try {
            inserts.await(this::refused, this::requeue); // a failed insert's rows are back in the buffer
        } finally {
            inFlightTable = null;
            inFlightBatch = null;
        }
    }

    /** Buffered rows and, per table, the changes not yet acknowledged (buffered or in the insert in flight). */
    private void publishBuffered() {
        metrics.buffered(bufferedRows);
        PendingChanges pending = new PendingChanges();
        batches.forEach((table, batch) -> pending.add(ClickHouseSinkMetrics.target(table), batch.rows,
                batch.oldestSourceMs));
        if (inFlightBatch != null) {
            pending.add(ClickHouseSinkMetrics.target(inFlightTable), inFlightBatch.rows, inFlightBatch.oldestSourceMs);
        }
        metrics.pending(pending);
    }

    private void refused(InsertPipeline.Refused row) {
        deadLetter(row.record(), row.reason());
    }

    /** Rows of an insert that failed go back into the buffer, to be sent again. */
    private void requeue(Map<RowLayout, List<EncodedRow>> rows) {
        rows.values().forEach(list -> list.forEach(row -> {
            TableBatch batch = batches.computeIfAbsent(row.layout().table(), t -> new TableBatch());
            batch.add(row);
            bufferedRows++;
            bufferedBytes += row.data().length;
        }));
        if (oldestBufferedAt == 0 && bufferedRows > 0) {
            oldestBufferedAt = System.currentTimeMillis();
        }
        publishBuffered();
    }

    private boolean isFull() {
        return bufferedBytes >= batchMaxBytes
                || batches.values().stream().anyMatch(b -> b.rows >= batchMaxRows);
    }

    private boolean isDue() {
        return oldestBufferedAt > 0 && System.currentTimeMillis() - oldestBufferedAt >= batchLingerMs;
    }

    private void deadLetter(SinkRecord record, Throwable reason) {
        deadLetters.report(record, reason);
        metrics.deadLettered();
    }

    @Override
    public synchronized void close() {
        inserts.close();
        if (bufferedRows > 0) {
            LOG.info("Stopping with {} rows not written; Connect delivers them again from the last committed offset",
                    bufferedRows);
        }
    }

    private record Parsed(SinkRecord record, ChangeEvent event) {
    }

    /** The buffered rows of one table, by layout (a schema change mid-batch makes a second layout). */
    private static final class TableBatch {
        final Map<RowLayout, List<EncodedRow>> rowsByLayout = new LinkedHashMap<>();
        int rows;
        long bytes;
        long oldestSourceMs;

        void add(EncodedRow row) {
            rowsByLayout.computeIfAbsent(row.layout(), l -> new ArrayList<>()).add(row);
            rows++;
            bytes += row.data().length;
            if (row.sourceTsMs() > 0 && (oldestSourceMs == 0 || row.sourceTsMs() < oldestSourceMs)) {
                oldestSourceMs = row.sourceTsMs();
            }
        }
    }
}
