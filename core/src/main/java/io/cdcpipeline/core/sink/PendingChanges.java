package io.cdcpipeline.core.sink;

import java.util.HashMap;
import java.util.Map;

/**
 * The changes a sink has accepted but the target has not acknowledged yet, per target (table or index): how many,
 * and the source commit time of the oldest. A target is complete up to just before its oldest pending change, which
 * is how the lag monitor names the table holding a sink back, and why a quiet table with one buffered change does
 * not look as old as its previous write.
 */
public final class PendingChanges {

    /** One target's pending changes; {@code oldestSourceMs} is 0 when the changes carry no source time. */
    public record Pending(long records, long oldestSourceMs) {
    }

    private final Map<String, long[]> targets = new HashMap<>();

    /** Counts one pending change of {@code target} committed at {@code sourceMs} (0: unknown). */
    public PendingChanges add(String target, long sourceMs) {
        long[] tally = targets.computeIfAbsent(target, t -> new long[] {0, Long.MAX_VALUE});
        tally[0]++;
        if (sourceMs > 0) {
            tally[1] = Math.min(tally[1], sourceMs);
        }
        return this;
    }

    /** Counts {@code records} pending changes of {@code target}, the oldest committed at {@code oldestSourceMs}. */
    public PendingChanges add(String target, long records, long oldestSourceMs) {
        if (records <= 0) {
            return this;
        }
        long[] tally = targets.computeIfAbsent(target, t -> new long[] {0, Long.MAX_VALUE});
        tally[0] += records;
        if (oldestSourceMs > 0) {
            tally[1] = Math.min(tally[1], oldestSourceMs);
        }
        return this;
    }

    public Map<String, Pending> toMap() {
        Map<String, Pending> out = new HashMap<>();
        targets.forEach((target, tally) -> out.put(target,
                new Pending(tally[0], tally[1] == Long.MAX_VALUE ? 0 : tally[1])));
        return out;
    }
}
