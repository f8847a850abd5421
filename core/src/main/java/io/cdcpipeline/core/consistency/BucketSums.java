package io.cdcpipeline.core.consistency;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Per bucket, its row count and the wrapping sum of its rows' hashes ({@link RowChecksum}). */
public final class BucketSums {

    private final Map<Long, long[]> sums = new HashMap<>();

    /** Adds a bucket's count and sum as an engine computed them. */
    public void put(long bucket, long rows, long sum) {
        long[] current = sums.computeIfAbsent(bucket, b -> new long[2]);
        current[0] += rows;
        current[1] += sum;
    }

    /** Adds one row. */
    public void add(long bucket, long rowHash) {
        put(bucket, 1, rowHash);
    }

    /** Adds another's buckets (sums of disjoint rows, as slices of one scan give them). */
    public void addAll(BucketSums other) {
        other.sums.forEach((bucket, sum) -> put(bucket, sum[0], sum[1]));
    }

    public long rows() {
        long rows = 0;
        for (long[] sum : sums.values()) {
            rows += sum[0];
        }
        return rows;
    }

    /** The buckets whose count or sum differ from {@code other}'s, in order. */
    public long[] differing(BucketSums other) {
        TreeSet<Long> buckets = new TreeSet<>(sums.keySet());
        buckets.addAll(other.sums.keySet());
        List<Long> differing = new ArrayList<>();
        long[] none = new long[2];
        for (long bucket : buckets) {
            long[] mine = sums.getOrDefault(bucket, none);
            long[] theirs = other.sums.getOrDefault(bucket, none);
            if (mine[0] != theirs[0] || mine[1] != theirs[1]) {
                differing.add(bucket);
            }
        }
        return differing.stream().mapToLong(Long::longValue).toArray();
    }

    /** Rows in {@code buckets} on the larger of the two sides. */
    public long rowsIn(long[] buckets, BucketSums other) {
        long mine = 0;
        long theirs = 0;
        for (long bucket : buckets) {
            mine += sums.getOrDefault(bucket, new long[2])[0];
            theirs += other.sums.getOrDefault(bucket, new long[2])[0];
        }
        return Math.max(mine, theirs);
    }
}
