package io.cdcpipeline.core.position;

import java.util.Map;

/**
 * What a Debezium Postgres source offset says about the stream: the LSNs it stored and whether it was taken inside
 * the initial snapshot. Read from the offset map, as the engine's offset file or Connect's offsets topic hold it.
 *
 * @param lsn                the position of the last event handed on ({@code lsn})
 * @param lsnProc            the last completely processed change ({@code lsn_proc}); null before streaming
 * @param lsnCommit          the commit of the last processed transaction ({@code lsn_commit}); null before streaming
 * @param snapshotInProgress true when the offset was stored during the initial snapshot, which restarts from scratch
 */
public record SourceOffset(Long lsn, Long lsnProc, Long lsnCommit, boolean snapshotInProgress) {

    public static SourceOffset of(Map<String, ?> offset) {
        // Debezium stores {snapshot: true, last_snapshot_record: false} while it snapshots; the last read's offset has
        // last_snapshot_record true, and Debezium counts the snapshot as complete from it.
        Object snapshot = offset.get("snapshot");
        boolean inSnapshot = snapshot != null && !Boolean.FALSE.equals(snapshot) && !"false".equals(snapshot)
                && !Boolean.TRUE.equals(offset.get("last_snapshot_record"))
                && !Boolean.TRUE.equals(offset.get("snapshot_completed"));
        return new SourceOffset(number(offset.get("lsn")), number(offset.get("lsn_proc")),
                number(offset.get("lsn_commit")), inSnapshot);
    }

    /**
     * Whether the offset says where the stream is: an LSN, or a snapshot in progress. An empty offset (Debezium
     * commits one for a notification sent before its snapshot had a position) does not, yet Debezium loads it as a
     * completed snapshot and would skip the snapshot.
     */
    public boolean hasPosition() {
        return lsn != null || lsnProc != null || lsnCommit != null || snapshotInProgress;
    }

    private static Long number(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    /**
     * The furthest position this offset accounts for: the connector confirms to the slot only what it stored, so a
     * slot confirmed beyond this point has let go of changes the stored position has not seen.
     */
    public long furthest() {
        long max = 0;
        for (Long value : new Long[] {lsn, lsnProc, lsnCommit}) {
            if (value != null && value > max) {
                max = value;
            }
        }
        return max;
    }

    @Override
    public String toString() {
        return "LSN " + Lsn.format(furthest()) + (snapshotInProgress ? " (inside the initial snapshot)" : "");
    }
}
