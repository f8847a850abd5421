package io.cdcpipeline.core.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java side of the row checksum: the same numbers Postgres and ClickHouse compute in SQL. */
class RowChecksumTest {

    private static final KeyColumns INTEGER_KEY = new KeyColumns(List.of("id"), List.of(true));
    private static final KeyColumns TEXT_KEYS = new KeyColumns(List.of("a", "b"), List.of(false, true));

    @Test
    void hashesAreTheFirstEightBytesOfMd5AsPostgresAndClickHouseReadThem() {
        // SELECT ('x' || left(md5('abc'), 16))::bit(64)::bigint, in Postgres 15 and ClickHouse 18.16 alike
        assertThat(RowChecksum.md5("abc")).isEqualTo(-8070080442485551184L);
    }

    @Test
    void anIntegerKeyIsItsOwnBucketHashOtherKeysHashTheirLengthPrefixedText() {
        assertThat(RowChecksum.bucketHash(List.of("-42"), INTEGER_KEY)).isEqualTo(-42L);
        assertThat(RowChecksum.keyText(List.of("é|", "12"))).isEqualTo("3:é|2:12");
        assertThat(RowChecksum.bucketHash(List.of("é|", "12"), TEXT_KEYS)).isEqualTo(RowChecksum.md5("3:é|2:12"));
        assertThat(RowChecksum.rowHash(List.of("1"), List.of("N", "2:ab")))
                .isEqualTo(RowChecksum.md5("1:1|N|2:ab"));
    }

    @Test
    void utf8LengthCountsBytes() {
        assertThat(RowChecksum.utf8Length("aé€😀")).isEqualTo(1 + 2 + 3 + 4);
    }

    @Test
    void formsOfSentValues() {
        assertThat(ChecksumForm.TEXT.of("é")).isEqualTo("2:é");
        assertThat(ChecksumForm.TEXT.of(null)).isEqualTo("N");
        assertThat(ChecksumForm.BOOLEAN.of("true")).isEqualTo("1");
        assertThat(ChecksumForm.DECIMAL.of("12.500")).isEqualTo("12.5");
        assertThat(ChecksumForm.DECIMAL.of("0.000")).isEqualTo("0");
        assertThat(ChecksumForm.DECIMAL.of("100")).isEqualTo("100");
        assertThat(ChecksumForm.DECIMAL.of("-0.50")).isEqualTo("-0.5");
        assertThat(ChecksumForm.DECIMAL.of("-0.00")).isEqualTo("0");
        assertThat(ChecksumForm.DECIMAL.of("0")).isEqualTo("0");
        assertThat(ChecksumForm.DECIMAL.of("120.0")).isEqualTo("120");
        assertThat(ChecksumForm.DECIMAL.of("1.5E+2")).isEqualTo("150");
        assertThat(ChecksumForm.DECIMAL.of("007.10")).isEqualTo("7.1");
        // float8send(1.5) read as a bigint; float4send(1.5) as an int
        assertThat(ChecksumForm.FLOAT8.of("1.5")).isEqualTo("4609434218613702656");
        assertThat(ChecksumForm.FLOAT4.of("1.5")).isEqualTo("1069547520");
        assertThat(ChecksumForm.FLOAT8.of("-0.0")).isEqualTo(Long.toString(Long.MIN_VALUE));
        assertThat(ChecksumForm.FLOAT8.of("NaN")).isEqualTo("nan");
        assertThat(ChecksumForm.timestamp(6).of("2026-01-01T10:00:00.5")).isEqualTo("2026-01-01 10:00:00.500000");
        assertThat(ChecksumForm.timestamp(6).of("2026-01-01T08:00:00.5Z")).isEqualTo("2026-01-01 08:00:00.500000");
        assertThat(ChecksumForm.timestamp(0).of("2026-01-01T10:00:00.999+02:00")).isEqualTo("2026-01-01 08:00:00");
        assertThat(ChecksumForm.timestamp(3).of("2026-01-01T10:00")).isEqualTo("2026-01-01 10:00:00.000");
        assertThat(ChecksumForm.timestamp(6).of("2026-01-01T10:00:00.123456789")).isEqualTo("2026-01-01 10:00:00.123456");
        assertThat(ChecksumForm.timestamp(0).of("2026-01-01 10:00:00")).isEqualTo("2026-01-01 10:00:00");
        assertThat(ChecksumForm.timestamp(6).of("2026-01-01T10:00:00-01:30")).isEqualTo("2026-01-01 11:30:00.000000");
        assertThat(ChecksumForm.FLOAT8.of("x")).isEqualTo("unreadable float8: x");
    }

    @Test
    void bucketsSelectTheirParentsAndSplitByMoreBits() {
        Buckets finer = new Buckets(16, 8, new long[] {3, 200});
        assertThat(finer.includes(0x1203)).isTrue();
        assertThat(finer.includes(0x1204)).isFalse();
        assertThat(finer.bucketOf(0x7_1203)).isEqualTo(0x1203);
        assertThat(finer.sqlFilter("h", "(%s & %s)")).isEqualTo("(h & 255) IN (3, 200)");
        assertThat(Buckets.all(4).sqlFilter("h", "(%s & %s)")).isEqualTo("1 = 1");
        assertThat(Buckets.all(4).includes(-1)).isTrue();
    }

    @Test
    void bucketSumsDifferWhereCountOrSumDiffer() {
        BucketSums source = new BucketSums();
        BucketSums copy = new BucketSums();
        source.add(1, 10);
        source.add(1, Long.MAX_VALUE); // sums wrap, as ClickHouse's Int64 sum does
        copy.put(1, 2, 10 + Long.MAX_VALUE);
        source.add(2, 5);
        copy.add(2, 6);
        source.add(3, 7);
        copy.add(4, 7);
        assertThat(source.differing(copy)).containsExactly(2, 3, 4);
        assertThat(source.rowsIn(new long[] {1, 2}, copy)).isEqualTo(3);
        assertThat(CopyCheck.initialBits(0)).isZero();
        assertThat(CopyCheck.initialBits(1_000_000)).isEqualTo(12);
        assertThat(CopyCheck.initialBits(Long.MAX_VALUE)).isEqualTo(16);
    }
}
