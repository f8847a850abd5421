package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.ChangeBuffer;
import io.cdcpipeline.core.sink.ChangeTarget;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.SendOutcome;
import io.cdcpipeline.core.sink.SourceFixes;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.sink.TargetSources;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import io.cdcpipeline.core.snapshot.SnapshotSweeps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What ClickHouse does for the change-sink engine: a change becomes a versioned {@code RowBinary} row of its table
 * (created or evolved first), and a request is one table's rows, inserted one layout at a time. Nothing is updated in
 * place: ReplacingMergeTree keeps the highest version of each key, so a replay can never make an older version win.
 */
final class ClickHouseTarget implements ChangeTarget<EncodedRow> {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseTarget.class);

    private final ClickHouseConnection connection;
    private final ClickHouseSinkConfig config;
    private final ClickHouseSinkMetrics metrics;
    private final ChangeBuffer<EncodedRow> buffer;
    private final RetryBackoff backoff;
    private final RetryBackoff.Failures retries;
    private final TableManager tables;
    private final RowEncoder encoder;
    private final ToastPlaceholder placeholder;
    private final ToastResolver toast;
    private final BatchInserter inserter;
    private final Set<TableId> keylessWarned = new HashSet<>();
    private final SnapshotSweeps sweeps;
    private final TargetSources targetSources = new TargetSources();
    private final ClickHouseTargetRows targetRows;
    private final TableRebuilds rebuilds;
    /** The changes of the put being accepted: the keys of all its TOAST holes of a table are read in one query. */
    private List<ChangeEvent> putChanges = List.of();
    /** What ClickHouse stores for the keys with holes, per table, read at most once per put. */
    private final Map<TableId, Map<ByteKey, Map<String, byte[]>>> stored = new HashMap<>();

    ClickHouseTarget(ClickHouseConnection connection, ClickHouseSinkConfig config, ClickHouseSinkMetrics metrics,
            ChangeBuffer<EncodedRow> buffer) {
        this.connection = connection;
        this.config = config;
        this.metrics = metrics;
        this.buffer = buffer;
        this.backoff = config.backoff();
        this.retries = ClickHouseFailure.retries(metrics::retried);
        this.rebuilds = new TableRebuilds(config, new TableResync("ClickHouse", config, metrics.sinkMetrics(), LOG));
        this.tables = new TableManager(connection, config, backoff, retries, buffer::writeOut, rebuilds);
        this.placeholder = new ToastPlaceholder(config.toastPlaceholder());
        this.encoder = new RowEncoder(placeholder,
                new OutOfRangeValues(config.outOfRange(), metrics.sinkMetrics(), LOG));
        this.toast = new ToastResolver(connection, backoff, retries);
        this.inserter = new BatchInserter(connection, backoff, metrics, !config.cluster().isEmpty());
        this.sweeps = new SnapshotSweeps("clickhouse", tables::existingTable, metrics::staleRemoved,
                SourceCheckConfig.isSet(config) ? () -> SourceCheckConfig.connect(config) : null);
        this.targetRows = new ClickHouseTargetRows(connection, tables, backoff, retries);
    }

    /**
     * Creates the tables the put is the first to write. With auto.create.database a missing database is created here
     * and the table prepared again. Tables already known are left to {@link #encode}: a put may change a table's
     * schema several times, and each change must come in its place among the rows.
     */
    @Override
    public void prepare(List<ChangeEvent> changes) {
        putChanges = changes;
        stored.clear();
        Set<TableId> seen = new HashSet<>();
        for (ChangeEvent change : changes) {
            if (change.operation() == Operation.TOMBSTONE || change.operation() == Operation.TRUNCATE
                    || !seen.add(change.table()) || tables.knows(change.table())) {
                continue;
            }
            try {
                targetSources.check(change.table(), change);
                tables.layoutFor(change);
            } catch (DataException e) {
                // The record is dead-lettered with this reason when it is encoded, in its place in the put.
            } catch (TargetUnavailableException e) {
                if (!config.autoCreateDatabase() || !ClickHouseFailure.isMissingDatabase(e)) {
                    throw e;
                }
                LOG.warn("Database {} is missing; creating it ({}=true)", config.database(),
                        ClickHouseSinkConfig.AUTO_CREATE_DATABASE);
                DatabaseCreator.create(connection, config);
                tables.forget(change.table());
                tables.layoutFor(change);
            }
        }
    }

    @Override
    public void onNotification(SnapshotNotification notification) {
        sweeps.onNotification(notification);
        rebuilds.onNotification(notification);
    }

    @Override
    public List<EncodedRow> encode(SinkRecord record, ChangeEvent change) {
        targetSources.check(change.table(), change); // before the table is created or altered for it
        RowLayout layout = tables.layoutFor(change);
        sweeps.onEvent(change, layout.table());
        if (layout.keyless()) {
            return encoder.encodeKeyless(change, layout, record, () -> withoutOldRow(change, layout));
        }
        EncodedRow row = encoder.encode(change, layout, record);
        return List.of(row.hasHoles() ? fillHoles(row, change) : row);
    }

    /**
     * An update or delete of a table without a primary key whose old row Debezium did not send (no REPLICA IDENTITY
     * FULL): the copy cannot tell which row it was. Counted, and logged once per table with the fix.
     */
    private void withoutOldRow(ChangeEvent change, RowLayout layout) {
        metrics.keylessOldRowUnknown(ClickHouseSinkMetrics.target(layout.table()));
        if (keylessWarned.add(change.table())) {
            LOG.warn(SourceFixes.keylessWithoutOldRow(change.table(), "the ClickHouse copy keeps the old rows (an "
                    + "update adds its new row; counted in table-keyless-old-row-unknown-total)"));
        }
    }

    /**
     * Fills unchanged-TOAST holes with the value the key last had: from the newest buffered row of that key if
     * there is one, else from what ClickHouse stores (read once per table and put).
     */
    private EncodedRow fillHoles(EncodedRow row, ChangeEvent change) {
        EncodedRow previous = buffer.newest(row.target(), row.key());
        byte[][] values = new byte[row.holes().length][];
        for (int i = 0; i < row.holes().length; i++) {
            String column = row.layout().fields().get(row.holes()[i]).name();
            byte[] value = previous == null ? null : previous.cell(column);
            if (value == null) {
                Map<String, byte[]> storedRow = stored.computeIfAbsent(change.table(),
                        t -> readStored(row.layout(), t)).get(row.key());
                value = storedRow == null ? null : storedRow.get(column);
            }
            values[i] = value;
        }
        fillFromReplacedTable(row, change, values);
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                missing.add(row.layout().fields().get(row.holes()[i]).name());
            }
        }
        if (!missing.isEmpty()) {
            throw new DataException(SourceFixes.toastWithoutEarlierValue(missing,
                    "ClickHouse has no earlier version of this key", change.table()));
        }
        return row.filled(values);
    }

    /**
     * While a table is rebuilt, a row the snapshot has not reached yet is only in the table the rebuild replaces:
     * its holes are filled from there, for the columns it holds as they are written now.
     */
    private void fillFromReplacedTable(EncodedRow row, ChangeEvent change, byte[][] values) {
        String replaced = tables.replacedByRebuild(change.table());
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
        Map<String, byte[]> fromReplaced = toast.storedValues(row.layout().in(replaced), List.of(change), columns)
                .get(row.key());
        for (int i = 0; i < values.length && fromReplaced != null; i++) {
            if (values[i] == null) {
                values[i] = fromReplaced.get(row.layout().fields().get(row.holes()[i]).name());
            }
        }
    }

    /** The stored values of every hole column of the put's changes to {@code table}, for all their keys. */
    private Map<ByteKey, Map<String, byte[]>> readStored(RowLayout layout, TableId table) {
        List<ChangeEvent> withHoles = new ArrayList<>();
        Set<String> columns = new HashSet<>();
        for (ChangeEvent change : putChanges) {
            if (change.table().equals(table) && change.after() != null && change.hasPrimaryKey()) {
                boolean any = false;
                for (Field field : change.after().schema().fields()) {
                    if (placeholder.matches(change.after().getWithoutDefault(field.name()))) {
                        columns.add(field.name());
                        any = true;
                    }
                }
                if (any) {
                    withHoles.add(change);
                }
            }
        }
        // What is buffered is not in ClickHouse yet, and an older stored value must not win over it: write it first.
        buffer.writeOut(layout.table());
        return toast.storedValues(layout, withHoles, columns);
    }

    @Override
    public void truncate(ChangeEvent change) {
        String table = tables.existingTable(change.table());
        if (table == null) {
            return;
        }
        // Version-aware, so a truncate replayed after newer rows arrived removes only what it removed the first time.
        String sql = "ALTER TABLE " + tables.mutationTarget(table) + " DELETE WHERE " + CdcColumns.VERSION + " < "
                + change.changeVersion();
        backoff.run(sql, () -> connection.execute(sql), retries);
        LOG.info("Source table {} was truncated: rows of {} older than version {} are being deleted", change.table(),
                table, change.changeVersion());
    }

    /**
     * Inserts one table's rows, one insert per run of rows of one layout (a schema change mid-batch starts a second
     * layout). The runs are views of the request: a batch of 50,000 rows is not copied on its way to the server.
     */
    @Override
    public SendOutcome<EncodedRow> send(List<EncodedRow> request) {
        List<SendOutcome.Refused> refused = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= request.size(); i++) {
            if (i == request.size() || request.get(i).layout() != request.get(start).layout()) {
                inserter.insert(request.get(start).layout(), request.subList(start, i), refused);
                start = i;
            }
        }
        return SendOutcome.of(refused);
    }

    @Override
    public boolean flushWanted() {
        return sweeps.hasPending() || rebuilds.anyCheckDue();
    }

    @Override
    public void everythingWritten() {
        sweeps.sweep(tables::removeOlderThan, targetRows);
        for (TableId rebuilt : rebuilds.due(targetRows::liveCount)) {
            rebuilds.swapped(rebuilt, tables.swapIn(rebuilt));
        }
    }

    @Override
    public ResyncedRebuilds<?> rebuilds() {
        return rebuilds.running();
    }

    @Override
    public void handOver(TableId table) {
        rebuilds.handOver(table);
        tables.forget(table);
    }

    @Override
    public String metricName(String table) {
        return ClickHouseSinkMetrics.target(table);
    }
}
