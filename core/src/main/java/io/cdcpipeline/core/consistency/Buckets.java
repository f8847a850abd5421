package io.cdcpipeline.core.consistency;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * Which rows a checksum query reads and how it groups them: rows whose key's bucket hash ({@link RowChecksum}) falls,
 * on its low {@code parentBits} bits, in one of {@code parents} (all rows when {@code parents} is null), grouped by
 * its low {@code bits} bits. A bucket whose sums differ is split by asking again with more bits: a bisection on the
 * hash, down to buckets small enough to read key by key.
 */
public record Buckets(int bits, int parentBits, long[] parents) {

    public Buckets {
        if (bits < 0 || bits > 62 || parentBits < 0 || parentBits > bits) {
            throw new IllegalArgumentException("bucket bits " + bits + " within " + parentBits);
        }
        parents = parents == null ? null : parents.clone();
    }

    /** Every row, in {@code 2^bits} buckets. */
    public static Buckets all(int bits) {
        return new Buckets(bits, 0, null);
    }

    /** The rows of {@code buckets} (at {@code bits}), split into {@code 2^bits} buckets of the same bits: read as is. */
    public static Buckets only(int bits, long[] buckets) {
        return new Buckets(bits, bits, buckets);
    }

    public long mask() {
        return (1L << bits) - 1;
    }

    public long parentMask() {
        return (1L << parentBits) - 1;
    }

    /** Whether a row of this bucket hash is read. */
    public boolean includes(long bucketHash) {
        return parents == null || Arrays.binarySearch(parents, bucketHash & parentMask()) >= 0;
    }

    /** The bucket of a bucket hash. */
    public long bucketOf(long bucketHash) {
        return bucketHash & mask();
    }

    /** SQL that is true for the rows read, given the SQL of the bucket hash ({@code "1 = 1"} for all). */
    public String sqlFilter(String bucketHash, String bitAnd) {
        if (parents == null) {
            return "1 = 1";
        }
        StringJoiner in = new StringJoiner(", ", "(", ")");
        for (long parent : parents) {
            in.add(Long.toString(parent));
        }
        return String.format(bitAnd, bucketHash, Long.toString(parentMask())) + " IN " + in;
    }

    /** SQL of a row's bucket, given the SQL of its bucket hash and the engine's bitwise and (a format of two). */
    public String sqlBucket(String bucketHash, String bitAnd) {
        return String.format(bitAnd, bucketHash, Long.toString(mask()));
    }
}
