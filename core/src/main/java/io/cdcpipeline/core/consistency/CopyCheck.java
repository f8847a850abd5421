package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares one sink's copy of a table with Postgres: counts, then every row of both sides, as its key and a hash of
 * its values in one canonical form per column ({@link ColumnKind}), streamed into a {@link KeyDiff} (memory bounded),
 * then the keys found missing, extra or with different values are checked again after the pipeline had time to
 * deliver them, {@code rounds} times: a key is drift only if it stayed different in every round. Rows that change
 * while the check runs are therefore not drift, which makes the check safe on a live pipeline. Columns of a type
 * {@link ColumnKind} does not know are not compared, and listed.
 */
public final class CopyCheck {

    private static final Logger LOG = LoggerFactory.getLogger(CopyCheck.class);
    private static final int BATCH = 10_000;
    private static final int LOOKUP = 1_000;

    /**
     * @param keep    how many keys of each kind are kept, re-checked and repaired (totals stay exact beyond)
     * @param settle  how long to wait before each re-check round
     * @param rounds  re-check rounds a key must stay different in
     * @param workDir where the key files of a comparison go
     * @param sample  0 for a full check; else a light one: counts, and this many keys picked at random on each side
     *                compared by value (totals then count the sample only)
     * @param catchUp what each re-check round waits for first: the copies complete up to the moment it is called
     */
    public record Options(int keep, Duration settle, int rounds, Path workDir, int sample, CatchUp catchUp) {

        public Options(int keep, Duration settle, int rounds, Path workDir, int sample) {
            this(keep, settle, rounds, workDir, sample, CatchUp.NONE);
        }

        public Options(int keep, Duration settle, int rounds, Path workDir) {
            this(keep, settle, rounds, workDir, 0);
        }

        /** The same options, each re-check round first waiting for {@code catchUp}. */
        public Options waitingFor(CatchUp catchUp) {
            return new Options(keep, settle, rounds, workDir, sample, catchUp);
        }
    }

    /** The outcome for one table and sink. */
    public enum Status { EQUAL, DRIFT, NOT_CHECKED }

    /** A column whose value differs: Postgres's and the copy's, in canonical form. */
    public record ColumnDifference(String column, String source, String copy) {
    }

    /** A row present on both sides whose values differ. */
    public record Difference(List<String> key, List<ColumnDifference> columns) {
    }

    /**
     * @param missing     rows Postgres has and the copy lacks (kept keys), {@code missingTotal} of them in all
     * @param extra       live rows of the copy whose key Postgres lacks (kept, with their versions), {@code extraTotal}
     * @param differing   rows on both sides whose values differ (kept), {@code differingTotal} in all
     * @param notCompared columns whose values are not compared (a type {@link ColumnKind} does not know)
     * @param note        why a table was not checked, or what a total means; empty when nothing to say
     * @param rowsCompared  rows whose keys (and values) were compared: every row of both sides, or the sample
     * @param comparedBy  how, first word first: {@code checksums} (computed where the data lives; then how many rows
     *                    of differing buckets were read key by key), {@code rows} (every row read by the check, and
     *                    why), {@code sample}; empty when not compared
     * @param seconds     how long the check took, re-checks included
     */
    public record Result(String sink, TableId table, String target, Status status, KeyColumns key, long sourceRows,
            long targetRows, long missingTotal, List<List<String>> missing, long extraTotal,
            List<TargetRows.Row> extra, long differingTotal, List<Difference> differing, List<String> notCompared,
            String note, long rowsCompared, String comparedBy, double seconds) {

        public boolean drifted() {
            return status == Status.DRIFT;
        }

        Result took(double elapsed) {
            return new Result(sink, table, target, status, key, sourceRows, targetRows, missingTotal, missing,
                    extraTotal, extra, differingTotal, differing, notCompared, note, rowsCompared, comparedBy, elapsed);
        }
    }

    /** The columns compared, their kinds, and the fractional-second digits the copy keeps per column. */
    private record Columns(List<String> names, List<ColumnKind> kinds, List<String> types, List<Integer> digits,
            List<String> skipped) {

        static Columns of(SourceKeys source, TableId table, Map<String, Integer> targetDigits,
                Map<String, String> excluded) throws SQLException {
            List<String> names = new ArrayList<>();
            List<ColumnKind> kinds = new ArrayList<>();
            List<String> types = new ArrayList<>();
            List<Integer> digits = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (Map.Entry<String, String> column : source.columnTypes(table).entrySet()) {
                ColumnKind kind = ColumnKind.ofPostgresType(column.getValue());
                if (excluded.containsKey(column.getKey())) {
                    skipped.add(column.getKey() + " (" + excluded.get(column.getKey()) + ")");
                } else if (kind == null) {
                    skipped.add(column.getKey() + " (" + column.getValue() + ")");
                } else {
                    names.add(column.getKey());
                    kinds.add(kind);
                    types.add(column.getValue());
                    digits.add(targetDigits.getOrDefault(column.getKey(), 9));
                }
            }
            return new Columns(names, kinds, types, digits, skipped);
        }

        List<String> canonical(List<String> values) {
            List<String> canonical = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                canonical.add(kinds.get(i).canonical(values.get(i), digits.get(i)));
            }
            return canonical;
        }

        String hash(List<String> values) {
            StringBuilder row = new StringBuilder();
            for (String value : canonical(values)) {
                row.append(value == null ? "\u0000N" : value.replace("\u0000", "\u0000\u0000")).append('\u0000');
            }
            return RowHash.of(row.toString());
        }

        List<ColumnDifference> differences(List<String> source, List<String> copy) {
            List<String> left = canonical(source);
            List<String> right = canonical(copy);
            List<ColumnDifference> differences = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                if (!Objects.equals(left.get(i), right.get(i))) {
                    differences.add(new ColumnDifference(names.get(i), left.get(i), right.get(i)));
                }
            }
            return differences;
        }
    }

    private CopyCheck() {
    }

    public static Result run(String sink, TableId table, SourceKeys source, SinkCopy copy, Options options)
            throws SQLException, InterruptedException {
        return run(sink, table, source, copy, options, Map.of());
    }

    /** As above, leaving out {@code excluded} columns (each with why: a transform changes them on purpose). */
    public static Result run(String sink, TableId table, SourceKeys source, SinkCopy copy, Options options,
            Map<String, String> excluded) throws SQLException, InterruptedException {
        return run(sink, table, table, source, copy, options, excluded);
    }

    /** As above, for a table whose rows the copy holds in the target of {@code copyTable} (a route sends them). */
    public static Result run(String sink, TableId table, TableId copyTable, SourceKeys source, SinkCopy copy,
            Options options, Map<String, String> excluded) throws SQLException, InterruptedException {
        long t0 = System.nanoTime();
        return compare(sink, table, copy.targetOf(copyTable), source, copy, options, excluded)
                .took((System.nanoTime() - t0) / 1e9);
    }

    private static Result compare(String sink, TableId table, String target, SourceKeys source, SinkCopy copy,
            Options options, Map<String, String> excluded) throws SQLException, InterruptedException {
        List<String> primaryKey = source.primaryKey(table);
        long sourceRows = source.count(table);
        if (target == null) {
            return sourceRows == 0
                    ? new Result(sink, table, null, Status.EQUAL, null, 0, 0, 0, List.of(), 0, List.of(), 0,
                            List.of(), List.of(), "no target yet, and the table is empty", 0, "", 0)
                    : new Result(sink, table, null, Status.DRIFT, null, sourceRows, 0, sourceRows, List.of(), 0,
                            List.of(), 0, List.of(), List.of(), "the copy's target does not exist", sourceRows, "", 0);
        }
        if (primaryKey.isEmpty()) {
            // The sinks key such rows by their content: the copy holds each distinct row once. Counted, not compared.
            long distinct = source.countDistinct(table);
            long live = copy.liveCount(target);
            return new Result(sink, table, target, distinct == live ? Status.EQUAL : Status.DRIFT, null, distinct, live,
                    Math.max(0, distinct - live), List.of(), Math.max(0, live - distinct), List.of(), 0, List.of(),
                    List.of(), "no primary key: the copy holds each distinct row once, so distinct rows are counted; "
                            + "values are not compared", distinct, "counts", 0);
        }
        KeyColumns key;
        try {
            key = source.keyColumns(table, primaryKey);
        } catch (SourceKeys.UnsupportedKeyException e) {
            return notChecked(sink, table, target, e.getMessage());
        }
        long targetRows = copy.liveCount(target);
        Columns columns = Columns.of(source, table, copy.fractionDigits(target), excluded);
        if (options.sample() > 0) {
            return sampled(sink, table, source, copy, options, target, key, columns, sourceRows, targetRows);
        }
        List<ChecksumForm> forms = copy.checksumForms(target, columns.names(), columns.kinds());
        int formless = forms.indexOf(null);
        Compared compared = formless < 0
                ? byChecksums(sink, table, source, copy, options, target, key, columns, forms,
                        Math.max(sourceRows, targetRows))
                : byRows(sink, table, source, copy, options, target, key, columns, Math.max(sourceRows, targetRows),
                        "rows (column " + columns.names().get(formless) + ", " + columns.types().get(formless)
                                + ", has no checksum form in this copy)");
        KeyDiff.Result diff = compared.diff();
        List<List<String>> missing = diff.missing();
        List<TargetRows.Row> extra = new ArrayList<>();
        for (List<String> k : diff.extra()) {
            extra.add(new TargetRows.Row(k, 0, null));
        }
        List<Difference> differing = new ArrayList<>();
        for (List<String> k : diff.differing()) {
            differing.add(new Difference(k, List.of()));
        }
        Suspects still = new Suspects(missing, extra, differing).recheck(options, table, source, copy, target, key,
                columns);
        missing = still.missing();
        extra = still.extra();
        differing = still.differing();
        long unchecked = Math.max(0, diff.missingTotal() - diff.missing().size())
                + Math.max(0, diff.extraTotal() - diff.extra().size())
                + Math.max(0, diff.differingTotal() - diff.differing().size());
        long missingTotal = missing.size() + Math.max(0, diff.missingTotal() - diff.missing().size());
        long extraTotal = extra.size() + Math.max(0, diff.extraTotal() - diff.extra().size());
        long differingTotal = differing.size() + Math.max(0, diff.differingTotal() - diff.differing().size());
        String note = unchecked == 0 ? "" : unchecked + " keys beyond the first " + options.keep()
                + " of each kind were not checked again";
        Status status = missingTotal == 0 && extraTotal == 0 && differingTotal == 0 ? Status.EQUAL : Status.DRIFT;
        return new Result(sink, table, target, status, key, sourceRows, targetRows, missingTotal, missing, extraTotal,
                extra, differingTotal, differing, columns.skipped(), note, compared.rows(), compared.by(), 0);
    }

    /** A comparison's keys found different, how many rows it compared, and how. */
    private record Compared(KeyDiff.Result diff, long rows, String by) {
    }

    /** Buckets of keys with about this many rows are split no further but read key by key. */
    private static final int KEY_BY_KEY = 20_000;
    /** At most this many buckets are split again in one query (the list is part of the SQL). */
    private static final int MAX_SPLIT = 20_000;

    /**
     * Bucket sums computed on each side where the data lives (both at once), buckets that differ split again while
     * they are large and the copy splits cheaply, then the rows of the buckets still differing read key by key.
     */
    private static Compared byChecksums(String sink, TableId table, SourceKeys source, SinkCopy copy, Options options,
            String target, KeyColumns key, Columns columns, List<ChecksumForm> forms, long rowsGuess)
            throws SQLException, InterruptedException {
        SourceChecksums sourceSums = source.checksums();
        long t0 = System.nanoTime();
        Buckets buckets = Buckets.all(initialBits(rowsGuess));
        BucketSums[] sums = sums(table, sourceSums, copy, target, key, columns, forms, buckets);
        long rows = Math.max(sums[0].rows(), sums[1].rows());
        long[] differing = sums[0].differing(sums[1]);
        LOG.info("{} in {}: checksums of {} buckets in {} ms, {} differ", table, sink, 1L << buckets.bits(),
                (System.nanoTime() - t0) / 1_000_000, differing.length);
        int bits = buckets.bits();
        while (differing.length > 0 && differing.length <= MAX_SPLIT && copy.sumsWhereDataLives()
                && sums[0].rowsIn(differing, sums[1]) > KEY_BY_KEY && bits + 8 <= 62) {
            Buckets finer = new Buckets(bits + 8, bits, differing);
            sums = sums(table, sourceSums, copy, target, key, columns, forms, finer);
            differing = sums[0].differing(sums[1]);
            bits += 8;
            LOG.info("{} in {}: split into {}-bit buckets, {} differ", table, sink, bits, differing.length);
        }
        if (differing.length == 0) {
            return new Compared(new KeyDiff.Result(rows, rows, 0, List.of(), 0, List.of(), 0, List.of()), rows,
                    "checksums");
        }
        Buckets only = Buckets.only(bits, differing);
        try (KeyDiff keys = new KeyDiff(options.workDir(), sums[0].rowsIn(differing, sums[1]))) {
            CompletableFuture<Void> fromCopy = CompletableFuture.runAsync(() -> copy.rowHashes(target, key,
                    columns.names(), forms, only, keys::addTargetRows));
            sourceSums.rowHashes(table, key, columns.names(), forms, columns.types(), only, BATCH,
                    keys::addSourceRows);
            join(fromCopy);
            KeyDiff.Result diff = keys.finish(options.keep());
            LOG.info("{} in {}: {} and {} rows of the differing buckets compared key by key", table, sink,
                    diff.sourceKeys(), diff.targetKeys());
            return new Compared(diff, rows, "checksums; " + Math.max(diff.sourceKeys(), diff.targetKeys())
                    + " rows of differing buckets read key by key");
        }
    }

    /** Both sides' sums over {@code buckets}, Postgres's first, computed at once (each side's time logged). */
    private static BucketSums[] sums(TableId table, SourceChecksums source, SinkCopy copy, String target,
            KeyColumns key, Columns columns, List<ChecksumForm> forms, Buckets buckets) throws SQLException {
        long t0 = System.nanoTime();
        CompletableFuture<BucketSums> fromCopy = CompletableFuture.supplyAsync(() -> {
            BucketSums sums = copy.bucketSums(target, key, columns.names(), forms, buckets);
            LOG.info("{}: checksums of {} in {} ms", table, target, (System.nanoTime() - t0) / 1_000_000);
            return sums;
        });
        BucketSums fromSource = source.bucketSums(table, key, columns.names(), forms, columns.types(), buckets,
                copy.sumsWhereDataLives());
        LOG.info("{}: checksums of Postgres in {} ms", table, (System.nanoTime() - t0) / 1_000_000);
        return new BucketSums[] {fromSource, join(fromCopy)};
    }

    /** About 256 rows per bucket, at most 2^16 buckets. */
    static int initialBits(long rows) {
        int bits = 0;
        while (bits < 16 && (rows >> bits) > 256) {
            bits++;
        }
        return bits;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }

    /** Every row of both sides read by the check, canonical values hashed in Java and compared in bucket files. */
    private static Compared byRows(String sink, TableId table, SourceKeys source, SinkCopy copy, Options options,
            String target, KeyColumns key, Columns columns, long expectedRows, String by) throws SQLException {
        try (KeyDiff keys = new KeyDiff(options.workDir(), expectedRows)) {
            // Both sides are read at once, each on its own thread (they write to separate bucket files).
            long t0 = System.nanoTime();
            CompletableFuture<Void> fromCopy = CompletableFuture.runAsync(() -> {
                copy.scanValues(target, key, columns.names(), BATCH, rows -> keys.addTargetRows(hashed(rows, columns)));
                LOG.info("{} in {}: {} live rows of {} read in {} ms", table, sink, keys.targetKeys(), target,
                        (System.nanoTime() - t0) / 1_000_000);
            });
            source.scanRows(table, key, columns.names(), columns.kinds(), BATCH, rows -> keys.addSourceRows(hashed(rows,
                    columns)));
            LOG.info("{}: {} rows read from Postgres in {} ms", table, keys.sourceKeys(), (System.nanoTime() - t0)
                    / 1_000_000);
            join(fromCopy);
            long t1 = System.nanoTime();
            KeyDiff.Result diff = keys.finish(options.keep());
            LOG.info("{} in {}: compared in {} ms", table, sink, (System.nanoTime() - t1) / 1_000_000);
            return new Compared(diff, Math.max(diff.sourceKeys(), diff.targetKeys()), by);
        }
    }

    /**
     * The light check: keys picked at random on each side, then checked like the keys a full check found different
     * (present on both sides with equal values, or not), over the same re-check rounds.
     */
    private static Result sampled(String sink, TableId table, SourceKeys source, SinkCopy copy, Options options,
            String target, KeyColumns key, Columns columns, long sourceRows, long targetRows)
            throws SQLException, InterruptedException {
        Set<List<String>> picked = new LinkedHashSet<>(source.sampleKeys(table, key,
                options.sample()));
        picked.addAll(copy.sampleKeys(target, key, options.sample()));
        List<List<String>> keys = new ArrayList<>(picked);
        List<TargetRows.Row> asRows = new ArrayList<>();
        keys.forEach(k -> asRows.add(new TargetRows.Row(k, 0, null)));
        Suspects still = new Suspects(stillMissing(table, source, copy, target, key, keys),
                stillExtra(table, source, copy, target, key, asRows),
                stillDiffering(table, source, copy, target, key, columns, keys))
                .recheck(options, table, source, copy, target, key, columns);
        List<List<String>> missing = still.missing();
        List<TargetRows.Row> extra = still.extra();
        List<Difference> differing = still.differing();
        Status status = missing.isEmpty() && extra.isEmpty() && differing.isEmpty() ? Status.EQUAL : Status.DRIFT;
        // In key-text order, as a full check reports them (the sample came in random order).
        Comparator<List<String>> byKey = Comparator.comparing(KeyDiff::encode);
        missing = new ArrayList<>(missing);
        missing.sort(byKey);
        extra = new ArrayList<>(extra);
        extra.sort(Comparator.comparing(TargetRows.Row::key, byKey));
        differing = new ArrayList<>(differing);
        differing.sort(Comparator.comparing(Difference::key, byKey));
        return new Result(sink, table, target, status, key, sourceRows, targetRows, missing.size(), missing,
                extra.size(), extra, differing.size(), differing, columns.skipped(), "a sample of " + keys.size()
                        + " keys (up to " + options.sample() + " picked at random on each side); totals count it only",
                keys.size(), "sample", 0);
    }

    /** Keys found different, by kind. */
    private record Suspects(List<List<String>> missing, List<TargetRows.Row> extra, List<Difference> differing) {

        boolean isEmpty() {
            return missing.isEmpty() && extra.isEmpty() && differing.isEmpty();
        }

        /** Checks every suspect again, {@code rounds} times after {@code settle}: what stays different in all. */
        Suspects recheck(Options options, TableId table, SourceKeys source, SinkCopy copy, String target,
                KeyColumns key, Columns columns) throws SQLException, InterruptedException {
            Suspects now = this;
            for (int round = 0; round < options.rounds() && !now.isEmpty(); round++) {
                long t0 = System.nanoTime();
                String waited = options.catchUp().await();
                LOG.info("{}: re-check {} of {}: {} ({} ms), then {} to settle", table, round + 1, options.rounds(),
                        waited, (System.nanoTime() - t0) / 1_000_000, options.settle());
                Thread.sleep(options.settle().toMillis());
                List<List<String>> differingKeys = new ArrayList<>();
                now.differing().forEach(d -> differingKeys.add(d.key()));
                now = new Suspects(stillMissing(table, source, copy, target, key, now.missing()),
                        stillExtra(table, source, copy, target, key, now.extra()),
                        stillDiffering(table, source, copy, target, key, columns, differingKeys));
            }
            return now;
        }
    }

    private static List<KeyDiff.Keyed> hashed(List<TargetValues.ValuedRow> rows, Columns columns) {
        List<KeyDiff.Keyed> hashed = new ArrayList<>(rows.size());
        rows.forEach(row -> hashed.add(new KeyDiff.Keyed(row.key(), columns.hash(row.values()))));
        return hashed;
    }

    /** The keys on both sides whose values still differ, with the columns that do. */
    private static List<Difference> stillDiffering(TableId table, SourceKeys source, SinkCopy copy, String target,
            KeyColumns key, Columns columns, List<List<String>> keys) throws SQLException {
        List<Difference> still = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += LOOKUP) {
            List<List<String>> batch = keys.subList(from, Math.min(keys.size(), from + LOOKUP));
            Map<List<String>, List<String>> inSource = source.rows(table, key, columns.names(), columns.kinds(), batch);
            Map<List<String>, List<String>> inCopy = copy.values(target, key, columns.names(), batch);
            for (List<String> k : batch) {
                List<String> left = inSource.get(k);
                List<String> right = inCopy.get(k);
                if (left != null && right != null) {
                    List<ColumnDifference> differences = columns.differences(left, right);
                    if (!differences.isEmpty()) {
                        still.add(new Difference(k, differences));
                    }
                }
            }
        }
        return still;
    }

    /** A table and sink not checked, and why. */
    /**
     * A table the source's include list names that Postgres no longer has (dropped, or renamed: a renamed table's
     * changes no longer reach the copy): a copy that still holds rows is drift, since no source row matches them.
     */
    public static Result sourceMissing(String sink, TableId table, String target, long targetRows) {
        String why = "the table is not in Postgres (dropped or renamed?): its copy keeps the " + targetRows + " rows it "
                + "had; drop the copy, or take the table out of table.include.list (a renamed table: capture it under "
                + "its new name)";
        return targetRows == 0 ? notChecked(sink, table, target, why)
                : new Result(sink, table, target, Status.DRIFT, null, 0, targetRows, 0, List.of(), targetRows,
                        List.of(), 0, List.of(), List.of(), why, 0, "", 0);
    }

    public static Result notChecked(String sink, TableId table, String target, String why) {
        return new Result(sink, table, target, Status.NOT_CHECKED, null, -1, -1, 0, List.of(), 0, List.of(), 0,
                List.of(), List.of(), why, 0, "", 0);
    }

    /** The keys Postgres still has and the copy still lacks. */
    static List<List<String>> stillMissing(TableId table, SourceKeys source, TargetRows copy, String target,
            KeyColumns key, List<List<String>> keys) throws SQLException {
        List<List<String>> still = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += LOOKUP) {
            List<List<String>> batch = keys.subList(from, Math.min(keys.size(), from + LOOKUP));
            Set<List<String>> inSource = source.existing(table, key, batch);
            Set<List<String>> inCopy = new HashSet<>();
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
