package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What one target database does for {@link ChangeSinkEngine}: turn a change into writes, send a request of writes
 * and say per write what became of it, read stored values for unchanged-TOAST holes (through the
 * {@link ChangeBuffer} it is made with),
 * and keep its own table or index state (creation, schema changes, rebuilds, snapshot sweeps). Everything about
 * buffering, offsets, requeueing and dead letters is the engine's. Called on the task's thread, except {@link #send}.
 */
public interface ChangeTarget<W extends BufferedWrite> {

    /**
     * A put begins with these changes, in order (notifications left out), before any is accepted: a target creates
     * what their first writes need here, so that a target that takes no write pauses the sink with the whole put
     * given back, not half of it buffered.
     */
    default void prepare(List<ChangeEvent> changes) {
    }

    void onNotification(SnapshotNotification notification);

    /**
     * The writes of a change (never a tombstone or a truncate).
     *
     * @throws DataException if the change cannot be written: it is dead-lettered with the message
     */
    List<W> encode(SinkRecord record, ChangeEvent change);

    /** The source table was truncated; every write accepted before it is in the target. */
    void truncate(ChangeEvent change);

    /**
     * Sends one request, retrying what its retry settings allow; on a sender thread, never two of one target's
     * requests at once unless {@link BatchLimits#maxInFlight} allows it.
     *
     * @throws RuntimeException if the request failed as a whole: its writes are buffered again and the exception is
     *                          thrown on the task's thread ({@link TargetUnavailableException} pauses the sink)
     */
    SendOutcome<W> send(List<W> request);

    /** The writes of {@code writes} worth sending (a target may leave out those a newer version of the key follows). */
    default List<W> worthSending(List<W> writes) {
        return writes;
    }

    /** Something waits for every accepted write to be in the target: a snapshot sweep, a rebuild check. */
    boolean flushWanted();

    /** Called from the linger timer before buffered writes are looked at. */
    default void tick() {
    }

    /** Every accepted write is in the target: sweeps and rebuild swaps that need it run now. */
    void everythingWritten();

    /** The table rebuilds running in this target, as far as offsets go. */
    ResyncedRebuilds<?> rebuilds();

    /** The task no longer receives {@code table}'s changes: keep nothing for it. */
    void handOver(TableId table);

    /** A target as the metrics name it. */
    default String metricName(String target) {
        return target;
    }

    default void close() {
    }
}
