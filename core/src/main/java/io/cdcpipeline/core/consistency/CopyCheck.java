package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares one sink's copy of a table with Postgres by key: counts, then every key of both sides (streamed into a
 * {@link KeyDiff}, memory bounded), then the keys only one side had are checked again after the pipeline had time
 * to deliver them, {@code rounds} times: a key is drift only if it stayed different in every round. Rows that
 * change while the check runs are therefore not drift, which makes the check safe on a live pipeline.
 * <p>
 * Values are not compared yet: a key present on both sides counts as equal.
 */
public final class CopyCheck {

    private static final int BATCH = 10_000;
    private static final int LOOKUP = 1_000;

    /**
     * @param keep    how many keys of each kind are kept, re-checked and repaired (totals stay exact beyond)
     * @param settle  how long to wait before each re-check round
     * @param rounds  re-check rounds a key must stay different in
     * @param workDir where the key files of a comparison go
     */
    public record Options(int keep, Duration settle, int rounds, Path workDir) {
    }

    /** The outcome for one table and sink. */
    public enum Status { EQUAL, DRIFT, NOT_CHECKED }

    /**
     * @param missing rows Postgres has and the copy lacks (kept keys), {@code missingTotal} of them in all
     * @param extra   live rows of the copy whose key Postgres lacks (kept, with their versions), {@code extraTotal}
     * @param note    why a table was not checked, or what a total means; empty when nothing to say
     */
    public record Result(String sink, TableId table, String target, Status status, KeyColumns key, long sourceRows,
            long targetRows, long missingTotal, List<List<String>> missing, long extraTotal,
            List<TargetRows.Row> extra, String note) {

        public boolean drifted() {
            return status == Status.DRIFT;
        }
    }

    private CopyCheck() {
    }

    public static Result run(String sink, TableId table, SourceKeys source, SinkCopy copy, Options options)
            throws SQLException, InterruptedException {
        List<String> primaryKey = source.primaryKey(table);
        long sourceRows = source.count(table);
        String target = copy.targetOf(table);
        if (target == null) {
            return sourceRows == 0
                    ? new Result(sink, table, null, Status.EQUAL, null, 0, 0, 0, List.of(), 0, List.of(),
                            "no target yet, and the table is empty")
                    : new Result(sink, table, null, Status.DRIFT, null, sourceRows, 0, sourceRows, List.of(), 0,
                            List.of(), "the copy's target does not exist");
        }
        if (primaryKey.isEmpty()) {
            return notChecked(sink, table, target, "the table has no primary key");
        }
        KeyColumns key;
        try {
            key = source.keyColumns(table, primaryKey);
        } catch (SourceKeys.UnsupportedKeyException e) {
            return notChecked(sink, table, target, e.getMessage());
        }
        long targetRows = copy.liveCount(target);
        KeyDiff.Result diff;
        try (KeyDiff keys = new KeyDiff(options.workDir(), Math.max(sourceRows, targetRows))) {
            source.scanKeys(table, key, BATCH, keys::addSource);
            copy.scanLive(target, key, BATCH, rows -> {
                List<List<String>> batch = new ArrayList<>(rows.size());
                rows.forEach(row -> batch.add(row.key()));
                keys.addTarget(batch);
            });
            diff = keys.finish(options.keep());
        }
        List<List<String>> missing = diff.missing();
        List<TargetRows.Row> extra = new ArrayList<>();
        for (List<String> k : diff.extra()) {
            extra.add(new TargetRows.Row(k, 0, null));
        }
        for (int round = 0; round < options.rounds() && (!missing.isEmpty() || !extra.isEmpty()); round++) {
            Thread.sleep(options.settle().toMillis());
            missing = stillMissing(table, source, copy, target, key, missing);
            extra = stillExtra(table, source, copy, target, key, extra);
        }
        long unchecked = Math.max(0, diff.missingTotal() - diff.missing().size())
                + Math.max(0, diff.extraTotal() - diff.extra().size());
        long missingTotal = missing.size() + Math.max(0, diff.missingTotal() - diff.missing().size());
        long extraTotal = extra.size() + Math.max(0, diff.extraTotal() - diff.extra().size());
        String note = unchecked == 0 ? "" : unchecked + " keys beyond the first " + options.keep()
                + " of each kind were not checked again";
        Status status = missingTotal == 0 && extraTotal == 0 ? Status.EQUAL : Status.DRIFT;
        return new Result(sink, table, target, status, key, sourceRows, targetRows, missingTotal, missing, extraTotal,
                extra, note);
    }

    private static Result notChecked(String sink, TableId table, String target, String why) {
        return new Result(sink, table, target, Status.NOT_CHECKED, null, -1, -1, 0, List.of(), 0, List.of(), why);
    }

    /** The keys Postgres still has and the copy still lacks. */
    static List<List<String>> stillMissing(TableId table, SourceKeys source, TargetRows copy, String target,
            KeyColumns key, List<List<String>> keys) throws SQLException {
        List<List<String>> still = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += LOOKUP) {
            List<List<String>> batch = keys.subList(from, Math.min(keys.size(), from + LOOKUP));
            Set<List<String>> inSource = source.existing(table, key, batch);
            Set<List<String>> inCopy = new java.util.HashSet<>();
            copy.liveRows(target, key, batch).forEach(row -> inCopy.add(row.key()));
            for (List<String> k : batch) {
                if (inSource.contains(k) && !inCopy.contains(k)) {
                    still.add(k);
                }
            }
        }
        return still;
    }

    /** The live rows of the copy still there whose key Postgres still lacks, with their current versions. */
    static List<TargetRows.Row> stillExtra(TableId table, SourceKeys source, TargetRows copy, String target,
            KeyColumns key, List<TargetRows.Row> rows) throws SQLException {
        List<TargetRows.Row> still = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += LOOKUP) {
            List<List<String>> batch = new ArrayList<>();
            rows.subList(from, Math.min(rows.size(), from + LOOKUP)).forEach(row -> batch.add(row.key()));
            Set<List<String>> inSource = source.existing(table, key, batch);
            Map<List<String>, TargetRows.Row> inCopy = new HashMap<>();
            copy.liveRows(target, key, batch).forEach(row -> inCopy.put(row.key(), row));
            for (List<String> k : batch) {
                if (!inSource.contains(k) && inCopy.containsKey(k)) {
                    still.add(inCopy.get(k));
                }
            }
        }
        return still;
    }
}
