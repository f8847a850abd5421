package io.cdcpipeline.core.consistency;

import java.util.List;
import java.util.function.Consumer;

/**
 * A copy's side of a checksum comparison ({@link RowChecksum}): per bucket of keys, the row count and the sum of row
 * hashes, then the hash of each row in the buckets that differ.
 */
public interface TargetChecksums {

    /**
     * The form each column's values are compared in for this target (Postgres kinds given), in column order; null
     * for a column that has none here (the table is then compared row by row).
     */
    List<ChecksumForm> checksumForms(String target, List<String> columns, List<ColumnKind> kinds);

    /** Per bucket of {@code buckets}, the live rows' count and hash sum. */
    BucketSums bucketSums(String target, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            Buckets buckets);

    /** Each live row of {@code buckets}: its key and its hash (as hex), in batches. */
    void rowHashes(String target, KeyColumns key, List<String> columns, List<ChecksumForm> forms, Buckets buckets,
            Consumer<List<KeyDiff.Keyed>> rows);

    /** Whether the sums are computed where the data lives (a query), so that splitting buckets again is cheap. */
    boolean sumsWhereDataLives();
}
