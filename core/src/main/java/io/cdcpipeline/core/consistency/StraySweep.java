package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Removes the strays of a target: live rows whose key the source table no longer has (deleted while no position was
 * kept, or while a delete could not reach the sink). Reads the target's live keys in batches, asks Postgres which it
 * still has, and deletes the others through the sink's versioned delete at their own version plus one.
 * <p>
 * Safe while the pipeline runs: a key Postgres lacks now was deleted after the change the target holds, so every
 * later change of it (a new insert) has a higher version than the delete; and a row that changed between the read
 * and the delete no longer holds the version read, so the delete passes it by.
 */
public final class StraySweep {

    private static final int BATCH = 1_000;

    /** What a sweep did: live rows it compared with Postgres, and strays it removed. */
    public record Result(long checked, long removed) {
    }

    private StraySweep() {
    }

    public static Result run(SourceKeys source, TableId table, KeyColumns keyColumns, TargetRows target,
            String targetName) throws SQLException {
        return run(source, table, keyColumns, target, targetName, BATCH);
    }

    /** As {@link #run(SourceKeys, TableId, KeyColumns, TargetRows, String)}, comparing {@code batchSize} keys at a time. */
    public static Result run(SourceKeys source, TableId table, KeyColumns keyColumns, TargetRows target,
            String targetName, int batchSize) throws SQLException {
        long[] totals = new long[2];
        try {
            target.scanLive(targetName, keyColumns, batchSize, batch -> {
                List<List<String>> keys = new ArrayList<>(batch.size());
                for (TargetRows.Row row : batch) {
                    keys.add(row.key());
                }
                Set<List<String>> existing;
                try {
                    existing = source.existing(table, keyColumns, keys);
                } catch (SQLException e) {
                    throw new SourceFailure(e);
                }
                List<TargetRows.Row> strays = new ArrayList<>();
                for (TargetRows.Row row : batch) {
                    if (!existing.contains(row.key())) {
                        strays.add(row);
                    }
                }
                totals[0] += batch.size();
                if (!strays.isEmpty()) {
                    totals[1] += target.removeAt(targetName, keyColumns, strays);
                }
            });
        } catch (SourceFailure e) {
            throw e.cause;
        }
        return new Result(totals[0], totals[1]);
    }

    /** Carries a SQLException out of the scan's callback. */
    private static final class SourceFailure extends RuntimeException {
        final SQLException cause;

        SourceFailure(SQLException cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
