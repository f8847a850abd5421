package io.cdcpipeline.core.position;

/**
 * Whether a connector can safely go on from its stored position, judged against its replication slot. The slot is
 * Postgres's memory of what the connector confirmed; a stored position behind it (or missing while the slot is
 * there) means changes were handed out and confirmed but are no longer accounted for, and a restart would either
 * skip them or re-snapshot without telling the sinks about rows deleted meanwhile.
 */
public final class PositionCheck {

    /** What a start may do. */
    public enum Kind {
        /** Streaming goes on from the stored position. */
        RESUME(true),
        /** The stored position is inside the initial snapshot: Debezium takes the snapshot again. */
        RESTART_SNAPSHOT(true),
        /** Nothing stored and no slot: a first start, with an initial snapshot. */
        FIRST_START(true),
        /** A first start that stopped before it stored a position: the slot it made is there, the snapshot is retaken. */
        RETAKE_FIRST_SNAPSHOT(true),
        /** Nothing stored, but the slot exists: the position was lost (file deleted, connector renamed). */
        POSITION_LOST(false),
        /** A position is stored, but the slot is gone or invalidated: the changes since it are gone from Postgres. */
        SLOT_LOST(false),
        /** The slot confirmed more than was stored: changes between the two were confirmed and never stored. */
        SLOT_AHEAD(false);

        private final boolean safe;

        Kind(boolean safe) {
            this.safe = safe;
        }

        public boolean safe() {
            return safe;
        }
    }

    /** A verdict and the sentence that explains it. */
    public record Verdict(Kind kind, String reason) {
        public boolean safe() {
            return kind.safe();
        }
    }

    private PositionCheck() {
    }

    /**
     * @param stored       the stored source offset, null if none
     * @param startedHere  whether the runner had started with this position store before (it writes that down before
     *                     the engine creates a slot); always false for a Connect connector
     * @param slot         the connector's replication slot
     */
    public static Verdict check(SourceOffset stored, boolean startedHere, ReplicationSlot slot) {
        String slotText = "replication slot '" + slot.name() + "'";
        if (stored != null && !stored.hasPosition()) {
            return checkEmpty(startedHere, slot, slotText);
        }
        if (stored == null) {
            if (!slot.exists()) {
                return new Verdict(Kind.FIRST_START, "no stored position and no " + slotText
                        + ": first start, taking the initial snapshot");
            }
            if (startedHere) {
                return new Verdict(Kind.RETAKE_FIRST_SNAPSHOT, "an earlier start stopped before it stored a position; "
                        + slotText + " it created exists: taking the initial snapshot again");
            }
            return new Verdict(Kind.POSITION_LOST, "no stored position, but " + slotText + " exists"
                    + confirmed(slot) + ": the position was lost (deleted, or the connector renamed), and starting "
                    + "anew would take a new snapshot that cannot remove rows deleted meanwhile");
        }
        if (stored.snapshotInProgress()) {
            return new Verdict(Kind.RESTART_SNAPSHOT, "the stored position " + stored + " is inside the initial "
                    + "snapshot, which Debezium takes again from the start");
        }
        if (!slot.usable()) {
            return new Verdict(Kind.SLOT_LOST, "a position is stored (" + stored + ") but " + slotText
                    + (slot.exists() ? " was invalidated (wal_status lost)" : " does not exist (dropped?)")
                    + ": the changes since the stored position are gone from Postgres");
        }
        if (slot.confirmedFlushLsn() != null && slot.confirmedFlushLsn() > stored.furthest()) {
            return new Verdict(Kind.SLOT_AHEAD, slotText + confirmed(slot) + " is ahead of the stored position "
                    + stored + ": the changes in between were confirmed to Postgres but the position that covers them "
                    + "was not stored (an older or restored position?)");
        }
        return new Verdict(Kind.RESUME, "resuming from " + stored + "; " + slotText + confirmed(slot));
    }

    /**
     * An offset without any position counts as none; on its own, Debezium would take it for a completed snapshot and
     * stream from the slot without one, so a start must not hand it to the engine (see the runner's StartGuard).
     */
    private static Verdict checkEmpty(boolean startedHere, ReplicationSlot slot, String slotText) {
        if (!slot.exists()) {
            return new Verdict(Kind.FIRST_START, "the stored offset holds no position and there is no " + slotText
                    + ": taking the initial snapshot");
        }
        if (startedHere) {
            return new Verdict(Kind.RETAKE_FIRST_SNAPSHOT, "the stored offset holds no position yet (an earlier "
                    + "first start stopped before its snapshot stored one); " + slotText + " exists: taking the initial "
                    + "snapshot again");
        }
        return new Verdict(Kind.POSITION_LOST, "the stored offset holds no position, but " + slotText + " exists"
                + confirmed(slot) + ": Debezium would take it for a completed snapshot and skip the snapshot");
    }

    private static String confirmed(ReplicationSlot slot) {
        return slot.confirmedFlushLsn() == null ? "" : " (confirmed up to " + Lsn.format(slot.confirmedFlushLsn()) + ")";
    }
}
