package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.sink.ResyncedRebuilds;
import io.cdcpipeline.core.sink.TableResync;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.util.List;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds of tables whose source changed in a way no {@code ALTER} can follow without losing or inventing values
 * (an integer column become text, a decimal with fewer digits, a renamed or new primary key, which no ClickHouse
 * version can put into a sorting key). The new table {@code <table>_rebuild} is made with the new schema and takes
 * the table's writes from then on, Debezium is asked for an incremental snapshot of the source table through the
 * signal table ({@link TableResync}), and once it is complete ({@link ResyncedRebuilds}) the two tables swap names and
 * the current-state view is made again. Until then BI reads the old table as it was. The snapshot's reads (version 0)
 * fill exactly the rows the new table lacks: a change streamed meanwhile is never replaced by them.
 * <p>
 * The state lives in ClickHouse: a restart that finds {@code <table>_rebuild} joins the rebuild and asks for the
 * snapshot again. This class keeps which rebuilds run; {@link TableManager} makes and swaps the tables.
 */
final class TableRebuilds {

    private static final Logger LOG = LoggerFactory.getLogger(TableRebuilds.class);
    static final String SUFFIX = "_rebuild";

    /** A running rebuild: the new table and the one it replaces, both quoted. */
    record Rebuild(String target, String replaced) {
        @Override
        public String toString() {
            return target;
        }
    }

    private final TableResync resync;
    private final ResyncedRebuilds<Rebuild> running;

    TableRebuilds(ClickHouseSinkConfig config, TableResync resync) {
        this.resync = resync;
        this.running = new ResyncedRebuilds<>(config, LOG);
    }

    /** For readers of the copy from outside the sink task, which never change a table. */
    static TableRebuilds none(ClickHouseSinkConfig config) {
        return new TableRebuilds(config, null);
    }

    /** The table a rebuild of {@code table} writes into. */
    static String nameFor(String table) {
        return table + SUFFIX;
    }

    /** Whether the sink can rebuild by itself: it reaches the source's signal table. */
    boolean enabled() {
        return resync != null && resync.automatic();
    }

    boolean isRunning(TableId table) {
        return running.get(table) != null;
    }

    /**
     * Starts the rebuild of {@code table} into {@code target} to replace {@code replaced} (both quoted), or joins
     * one a restart found, or starts one over after a second change the rebuilt table cannot take: asks for the
     * snapshot each time.
     */
    void begin(TableId table, String target, String replaced, String reason) {
        resync.request(table, target, reason);
        running.add(table, new Rebuild(target, replaced));
    }

    /** Whether a running rebuild replaces this (quoted) table, which takes no more writes, checks or sweeps. */
    boolean replaces(String table) {
        return running.all().stream().anyMatch(r -> r.replaced().equals(table));
    }

    void onNotification(SnapshotNotification notification) {
        running.onNotification(notification);
    }

    /** Whether a flush should look at the running rebuilds now, even with nothing buffered. */
    boolean anyCheckDue() {
        return running.anyCheckDue();
    }

    /** The running rebuilds, which hold back offsets where Connect may move partitions. */
    ResyncedRebuilds<?> running() {
        return running;
    }

    /** This task no longer receives the table's changes: another task's sink joins its rebuild. */
    void handOver(TableId table) {
        running.handOver(table);
    }

    /** The complete rebuilds, given the live rows of a (quoted) table; called with nothing buffered. */
    List<TableId> due(ToLongFunction<String> liveRows) {
        return running.due(r -> liveRows.applyAsLong(r.target()));
    }

    /** @param replaced where the old table is kept, or null if another sink task had swapped the rebuild in */
    void swapped(TableId table, String replaced) {
        running.completed(table, replaced == null ? "another sink task had swapped it in already"
                : "the old table is kept as " + replaced + ": drop it when no longer needed");
    }
}
