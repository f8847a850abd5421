package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;

/**
 * The rebuilds a sink runs of copies it could not change in place, each filled by an incremental snapshot it asked
 * for ({@link TableResync}), and when each is complete: once the snapshot has read the whole table (its completion
 * notification, where the runtime passes notifications on, as the embedded runner does), or once the new copy holds
 * as many live rows as the source table at two looks in a row, at most one look per {@value #CHECK_EVERY_MS} ms (on
 * a Connect cluster no notification reaches a sink). What a rebuild is and how it is swapped in is the sink's own:
 * {@code R}. One instance per sink task, not thread-safe.
 * <p>
 * On a Connect cluster the partition that brings a table may go to another task at any rebalance, and that task
 * joins the rebuild only once a record of the table reaches it. So, there, a running rebuild holds the committed
 * offset of its table's partition at the first record of the table this task took since the rebuild began
 * ({@link #holdBack}): the next owner reads from that record on and finds the rebuild, even when the table changes no
 * more. Without the hold, the offsets of the records that started the rebuild and of its snapshot's reads could be
 * committed before the rebalance, and no task would ever swap the rebuild in.
 */
public final class ResyncedRebuilds<R> {

    public static final long CHECK_EVERY_MS = 5_000;

    /** Counts the live rows of a rebuild's new copy. */
    @FunctionalInterface
    public interface RowCount<R> {
        long count(R rebuild) throws Exception;
    }

    private final AbstractConfig config;
    private final Logger log;
    private final Map<TableId, Running<R>> running = new LinkedHashMap<>();
    private boolean partitionsMove;

    private static final class Running<R> {
        final R rebuild;
        final long startedAt = System.currentTimeMillis();
        boolean scanned;
        int equalInARow;
        long checkedAt;
        /** The partition and offset of the first record of the table this task took since the rebuild began. */
        TopicPartition heldPartition;
        long heldOffset;

        Running(R rebuild) {
            this.rebuild = rebuild;
        }
    }

    /** @param config the sink's config, whose source settings ({@link SourceCheckConfig}) count the source's rows */
    public ResyncedRebuilds(AbstractConfig config, Logger log) {
        this.config = config;
        this.log = log;
    }

    public void add(TableId table, R rebuild) {
        running.put(table, new Running<>(rebuild));
    }

    /** The running rebuild of a table, or null. */
    public R get(TableId table) {
        Running<R> r = running.get(table);
        return r == null ? null : r.rebuild;
    }

    public List<R> all() {
        return running.values().stream().map(r -> r.rebuild).toList();
    }

    /**
     * This task reads partitions that a consumer group deals out (a Connect cluster): from now on running rebuilds
     * hold back the offsets of their tables' partitions ({@link #holdBack}). The embedded runner's single task never
     * loses a partition, and its runner waits for every offset of a batch to be committed, so it never calls this.
     */
    public void partitionsMove() {
        partitionsMove = true;
    }

    /**
     * A record of {@code table} was taken (after the rebuild it starts, if any, began): the first one of a running
     * rebuild is where its partition's committed offset stays until the swap or the hand-over.
     */
    public void seen(TableId table, SinkRecord record) {
        if (running.isEmpty()) {
            return;
        }
        Running<R> r = running.get(table);
        if (r != null && r.heldPartition == null) {
            r.heldPartition = new TopicPartition(record.originalTopic(), record.originalKafkaPartition());
            r.heldOffset = record.originalKafkaOffset();
        }
    }

    /**
     * The offsets of {@code committable} with each partition that brought a running rebuild's table held at the
     * first record of the table taken since the rebuild began, where partitions move between tasks; else
     * {@code committable} as it is.
     */
    public Map<TopicPartition, OffsetAndMetadata> holdBack(Map<TopicPartition, OffsetAndMetadata> committable) {
        if (!partitionsMove || running.isEmpty()) {
            return committable;
        }
        Map<TopicPartition, OffsetAndMetadata> held = new HashMap<>(committable);
        for (Running<R> r : running.values()) {
            OffsetAndMetadata offset = r.heldPartition == null ? null : held.get(r.heldPartition);
            if (offset != null && offset.offset() > r.heldOffset) {
                held.put(r.heldPartition, new OffsetAndMetadata(r.heldOffset));
            }
        }
        return held;
    }

    /** A notification from the stream: an incremental snapshot read the whole of a table being rebuilt. */
    public void onNotification(SnapshotNotification notification) {
        Running<R> r = notification.isIncrementalTableScanCompleted() ? running.get(notification.table()) : null;
        if (r != null) {
            r.scanned = true;
        }
    }

    /**
     * The tables whose rebuild is complete; the caller swaps each in and reports it with {@link #completed}. Call it
     * with everything accepted written, so that the count sees every row streamed so far.
     */
    public List<TableId> due(RowCount<R> copyRows) {
        List<TableId> due = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Map.Entry<TableId, Running<R>> entry : running.entrySet()) {
            Running<R> r = entry.getValue();
            if (!r.scanned && now - r.checkedAt < CHECK_EVERY_MS) {
                continue;
            }
            r.checkedAt = now;
            if (!r.scanned) {
                try {
                    long rows = copyRows.count(r.rebuild);
                    long sourceRows;
                    try (Connection db = SourceCheckConfig.connect(config)) {
                        sourceRows = new SourceKeys(db).count(entry.getKey());
                    }
                    r.equalInARow = rows == sourceRows ? r.equalInARow + 1 : 0;
                    log.info("Rebuilding the copy of {}: {} rows in {}, {} in the source", entry.getKey(), rows,
                            r.rebuild, sourceRows);
                } catch (Exception e) {
                    log.warn("Could not check the rebuild of the copy of {} yet: {}", entry.getKey(), e.getMessage());
                    continue;
                }
            }
            if (r.scanned || r.equalInARow >= 2) {
                due.add(entry.getKey());
            }
        }
        return due;
    }

    /**
     * Whether a rebuild has waited {@value #CHECK_EVERY_MS} ms since its last look, so that a sink with nothing to
     * write still flushes to look again (on Connect, offset commits that would flush stop when no record arrives).
     */
    public boolean anyCheckDue() {
        long now = System.currentTimeMillis();
        return running.values().stream().anyMatch(r -> r.scanned || now - r.checkedAt >= CHECK_EVERY_MS);
    }

    /**
     * This task no longer writes {@code table} (Connect gave its partitions to another task): it stops checking and
     * will not swap the rebuild in. The task that writes the table now finds the rebuild at its start and joins it.
     */
    public void handOver(TableId table) {
        Running<R> r = running.remove(table);
        if (r != null) {
            log.info("Rebuild of the copy of {} ({}) handed over: this task no longer receives the table's changes; "
                    + "the task that does joins the rebuild", table, r.rebuild);
        }
    }

    /** A rebuild swapped in; {@code kept} says where the copy of before stays. */
    public void completed(TableId table, String kept) {
        Running<R> r = running.remove(table);
        log.info("Rebuild of the copy of {} ({}) complete after {} s ({}); {}", table, r.rebuild,
                (System.currentTimeMillis() - r.startedAt) / 1000,
                r.scanned ? "the snapshot read the whole table" : "as many rows as the source", kept);
    }
}
