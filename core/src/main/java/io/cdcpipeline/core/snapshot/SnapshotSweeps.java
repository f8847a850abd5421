package io.cdcpipeline.core.snapshot;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.consistency.StraySweep;
import io.cdcpipeline.core.consistency.TargetRows;
import io.cdcpipeline.core.position.Lsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes, after a blocking snapshot of a table completes, the rows of its targets that the snapshot did not send
 * again and no later change touched: rows deleted while no position was kept (a lost position, a
 * {@code --resnapshot}, an invalidated slot). A snapshot cannot send deletes; this is how they arrive.
 * <p>
 * Every read of a snapshot taken at LSN {@code S} has version {@code 2S} and every later change a higher one, so
 * after the snapshot of a table is in its target, a live row with a version below {@code 2S} is a row the table no
 * longer had at {@code S}. It is removed through the sink's versioned delete at version {@code 2S - 1}, which can
 * never win over the snapshot's reads or later changes, even if they arrive after it.
 * <p>
 * When is a table's snapshot complete? Its last read carries Debezium's {@code last_in_data_collection} (or
 * {@code last}) marker, in order with its other reads on the table's own partition: the sweep runs once everything
 * before it is written. A table the snapshot found empty sends no read at all: Debezium's
 * {@code TABLE_SCAN_COMPLETED} notification with zero rows says it, with the snapshot's LSN stamped on it
 * ({@link SnapshotNotification}; the embedded runner's stream only). Flattened records carry no marker: for their tables the notification is the
 * signal, rows or not.
 * <p>
 * An incremental snapshot has no consistent point, and its reads (version 0, see {@link ChangeEvent}) do not mark
 * the rows they re-send; so when one completes a table (Debezium's incremental {@code TABLE_SCAN_COMPLETED}), the
 * table's targets are checked against Postgres instead: every live row whose key the table no longer has is removed
 * ({@link StraySweep}). That needs a connection to the source database ({@code consistency.source.url}, set by the
 * embedded runner); without one the check is skipped with a warning.
 * <p>
 * A blocking snapshot asked for by a signal with {@code additional-conditions} re-sends only some rows: the
 * signal's row, which streams by before the snapshot, marks its tables, and their completion sweeps nothing
 * ({@link SnapshotSignal}).
 * <p>
 * A target that also holds rows of another source table (a router merging tables) is not swept: a row of the
 * other table is not stale because this table's snapshot did not send it. One instance per sink task, not
 * thread-safe.
 */
public final class SnapshotSweeps {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSweeps.class);

    /**
     * A table whose snapshot completed: its targets are swept below {@code 2 * snapshotLsn}, or, after an incremental
     * snapshot ({@code snapshotLsn} null), checked against the source.
     */
    public record Completed(TableId sourceTable, Long snapshotLsn, Set<String> targets) {
    }

    /** Opens a connection to the source database, for the check after an incremental snapshot. */
    @FunctionalInterface
    public interface Source {
        Connection connect() throws SQLException;
    }

    private final String sinkName;
    private final Function<TableId, String> defaultTarget;
    private final LongConsumer removedCounter;
    private final Source source;
    private final Map<TableId, List<String>> keyColumnsBySource = new HashMap<>();
    private final Map<TableId, Set<String>> targetsBySource = new HashMap<>();
    private final Map<String, Set<TableId>> sourcesByTarget = new HashMap<>();
    private final Set<TableId> flattened = new LinkedHashSet<>();
    private final Map<TableId, Long> sweptAt = new HashMap<>();
    /** Tables of a blocking snapshot restricted by additional conditions, announced by its signal: never swept. */
    private final List<Pattern> filteredBlocking = new ArrayList<>();
    /** Tables of an incremental snapshot restricted by additional conditions: not checked against the source. */
    private final List<Pattern> filteredIncremental = new ArrayList<>();
    private final List<Completed> pending = new ArrayList<>();
    private TableId lastSource;
    private String lastTarget;

    /**
     * @param sinkName       for logs
     * @param defaultTarget  the existing target of a source table that sent no record, or null if there is none
     * @param removedCounter counts removed rows (a metric)
     */
    public SnapshotSweeps(String sinkName, Function<TableId, String> defaultTarget, LongConsumer removedCounter) {
        this(sinkName, defaultTarget, removedCounter, null);
    }

    /** @param source the source database, for the check after an incremental snapshot; null: no such check */
    public SnapshotSweeps(String sinkName, Function<TableId, String> defaultTarget, LongConsumer removedCounter,
            Source source) {
        this.sinkName = sinkName;
        this.defaultTarget = defaultTarget;
        this.removedCounter = removedCounter;
        this.source = source;
    }

    /** Notes where a change went; a table's last snapshot read makes its sweep due. Called for every change. */
    public void onEvent(ChangeEvent event, String target) {
        TableId source = event.sourceTable();
        if (!source.equals(lastSource) || !target.equals(lastTarget)) {
            // Most changes in a batch go where the one before went: only a new pair costs the map updates.
            targetsBySource.computeIfAbsent(source, t -> new LinkedHashSet<>()).add(target);
            sourcesByTarget.computeIfAbsent(target, t -> new LinkedHashSet<>()).add(source);
            lastSource = source;
            lastTarget = target;
            if (event.hasPrimaryKey()) {
                keyColumnsBySource.put(source, event.keyColumns());
            }
        }
        if (!event.isBlockingSnapshotRead()) {
            SnapshotSignal.Filtered filtered = SnapshotSignal.filtered(event);
            if (filtered != null) {
                (filtered.blocking() ? filteredBlocking : filteredIncremental).addAll(filtered.collections());
            }
            return;
        }
        if (event.snapshotMarker() == null) {
            flattened.add(source);
        } else if (event.isLastSnapshotReadOfTable()) {
            due(source, event.lsn());
        }
    }

    /** A notification: the completed scan of an empty table, or of a table whose records come flattened. */
    public void onNotification(SnapshotNotification notification) {
        if (notification.isIncrementalTableScanCompleted()) {
            String name = notification.table().schema() + "." + notification.table().table();
            if (removeFirstMatch(filteredIncremental, name)) {
                LOG.info("Sink {}: an incremental snapshot of some rows of {} (additional-conditions) completed; the "
                        + "table is not checked against the source for it", sinkName, notification.table());
                return;
            }
            if (source == null) {
                LOG.warn("Sink {}: an incremental snapshot of {} completed; rows whose deletes never reached the sink "
                        + "are not checked for, because consistency.source.url is not set", sinkName,
                        notification.table());
            } else {
                pending.add(new Completed(notification.table(), null, targetsOf(notification.table())));
            }
            return;
        }
        if (!notification.isInitialTableScanCompleted()) {
            return;
        }
        if (notification.lsn() == null) {
            LOG.warn("Sink {}: Debezium says the snapshot of {} completed, but the notification carries no {} header (the "
                    + "embedded runner stamps it), so rows deleted before the snapshot cannot be removed from its target",
                    sinkName, notification.table(), SnapshotNotification.LSN_HEADER);
            return;
        }
        if (notification.rowsScanned() == 0 || flattened.contains(notification.table())) {
            due(notification.table(), notification.lsn());
        }
    }

    private void due(TableId source, long lsn) {
        Long swept = sweptAt.get(source);
        if (swept != null && swept == lsn) {
            return; // the same snapshot, delivered again
        }
        String name = source.schema() + "." + source.table();
        if (removeFirstMatch(filteredBlocking, name)) {
            LOG.warn("Sink {}: a blocking snapshot of {} with additional-conditions completed at LSN {}: it re-sent only "
                    + "some rows, so nothing is swept", sinkName, source, Lsn.format(lsn));
            sweptAt.put(source, lsn);
            return;
        }
        pending.add(new Completed(source, lsn, targetsOf(source)));
        sweptAt.put(source, lsn);
    }

    /** Takes one signal's mark for a table (each restricted snapshot completes once per table it names). */
    private static boolean removeFirstMatch(List<Pattern> marks, String table) {
        for (Iterator<Pattern> it = marks.iterator(); it.hasNext();) {
            if (it.next().matcher(table).matches()) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    private Set<String> targetsOf(TableId source) {
        Set<String> targets = new LinkedHashSet<>(targetsBySource.getOrDefault(source, Set.of()));
        if (targets.isEmpty()) {
            String target = defaultTarget.apply(source);
            if (target != null) {
                targets.add(target);
            }
        }
        return targets;
    }

    /** Whether a sweep waits: the sink writes everything buffered first, then calls {@link #sweep}. */
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    /**
     * Sweeps every completed table; call only when everything before its completion is written. A failure leaves
     * the sweep pending (the next call tries again) and is thrown.
     */
    public void sweep(StaleRows stale, TargetRows strays) {
        while (!pending.isEmpty()) {
            Completed completed = pending.get(0);
            for (String target : completed.targets()) {
                Set<TableId> others = new LinkedHashSet<>(sourcesByTarget.getOrDefault(target, Set.of()));
                others.remove(completed.sourceTable());
                if (!others.isEmpty()) {
                    LOG.warn("Sink {}: snapshot of {} completed{}, but {} also holds rows of {}: not swept, rows "
                            + "deleted before the snapshot may remain there", sinkName, completed.sourceTable(),
                            at(completed), target, others);
                    continue;
                }
                if (completed.snapshotLsn() == null) {
                    checkAgainstSource(completed.sourceTable(), target, strays);
                    continue;
                }
                long removed = stale.removeOlderThan(target, 2 * completed.snapshotLsn());
                removedCounter.accept(removed);
                LOG.info("Sink {}: snapshot of {} completed at LSN {}: {} stale rows removed from {}", sinkName,
                        completed.sourceTable(), Lsn.format(completed.snapshotLsn()), removed, target);
            }
            if (completed.targets().isEmpty()) {
                LOG.info("Sink {}: snapshot of {} completed{}: no target to sweep", sinkName, completed.sourceTable(),
                        at(completed));
            }
            pending.remove(0);
        }
    }

    private static String at(Completed completed) {
        return completed.snapshotLsn() == null ? " (incremental)" : " at LSN " + Lsn.format(completed.snapshotLsn());
    }

    /** The check after an incremental snapshot: live rows of the target whose key the source table lacks go. */
    private void checkAgainstSource(TableId table, String target, TargetRows strays) {
        try (Connection connection = source.connect()) {
            SourceKeys keys = new SourceKeys(connection);
            List<String> keyColumns = keyColumnsBySource.get(table);
            if (keyColumns == null || keyColumns.isEmpty()) {
                keyColumns = keys.primaryKey(table);
            }
            if (keyColumns.isEmpty()) {
                LOG.warn("Sink {}: incremental snapshot of {} completed; {} not checked against the source: the table "
                        + "has no primary key", sinkName, table, target);
                return;
            }
            StraySweep.Result result = StraySweep.run(keys, table, keys.keyColumns(table, keyColumns), strays, target);
            removedCounter.accept(result.removed());
            LOG.info("Sink {}: incremental snapshot of {} completed: {} live rows of {} checked against Postgres, {} whose "
                    + "key Postgres no longer has removed", sinkName, table, result.checked(), target, result.removed());
        } catch (SourceKeys.UnsupportedKeyException e) {
            LOG.warn("Sink {}: incremental snapshot of {} completed; {} not checked against the source: {}", sinkName,
                    table, target, e.getMessage());
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw new RetriableException("cannot reach the source database to check " + target + " after the "
                        + "incremental snapshot of " + table + ": " + e.getMessage(), e);
            }
            LOG.warn("Sink {}: incremental snapshot of {} completed; checking {} against the source failed: {}", sinkName,
                    table, target, e.getMessage());
        }
    }
}
