package io.cdcpipeline.core.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyDiffTest {

    @Test
    void findsEveryMissingAndExtraKeyAcrossBucketsWithExactTotalsAndSortedSamples(@TempDir Path work) throws Exception {
        List<KeyDiff.Keyed> source = new ArrayList<>();
        List<KeyDiff.Keyed> target = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            source.add(new KeyDiff.Keyed(List.of(Integer.toString(i), "a"), "h"));
            if (i % 1000 != 7) {
                target.add(new KeyDiff.Keyed(List.of(Integer.toString(i), "a"), "h")); // 20 keys missing
            }
        }
        target.add(new KeyDiff.Keyed(List.of("99999", "a"), "h"));
        target.add(new KeyDiff.Keyed(List.of("5", "b"), "h"));
        try (KeyDiff diff = new KeyDiff(work, 400_000)) { // several buckets
            diff.addSourceRows(source);
            diff.addTargetRows(target);
            KeyDiff.Result result = diff.finish(3);
            assertThat(result.sourceKeys()).isEqualTo(20_000);
            assertThat(result.targetKeys()).isEqualTo(19_982);
            assertThat(result.missingTotal()).isEqualTo(20);
            assertThat(result.missing()).as("the smallest 3, in key-text order")
                    .containsExactly(List.of("10007", "a"), List.of("1007", "a"), List.of("11007", "a"));
            assertThat(result.extraTotal()).isEqualTo(2);
            assertThat(result.extra()).containsExactly(List.of("5", "b"), List.of("99999", "a"));
            assertThat(result.differingTotal()).as("equal hashes on both sides").isZero();
        }
        try (var left = Files.list(work)) {
            assertThat(left).as("the key files are removed").isEmpty();
        }
    }

    @Test
    void keysWithTabsNewlinesAndBackslashesRoundTrip() {
        List<String> key = List.of("a\tb", "c\\nd\n", "", "x\r\u001f");
        assertThat(KeyDiff.decodeLine(KeyDiff.encode(key))).isEqualTo(key);
    }

    @Test
    void rowsWhoseHashesDifferAreTheDifferingKeys(@TempDir Path work) {
        try (KeyDiff diff = new KeyDiff(work, 10)) {
            diff.addSourceRows(List.of(new KeyDiff.Keyed(List.of("1"), "aa"), new KeyDiff.Keyed(List.of("2"), "bb"),
                    new KeyDiff.Keyed(List.of("3"), "cc")));
            diff.addTargetRows(List.of(new KeyDiff.Keyed(List.of("1"), "aa"), new KeyDiff.Keyed(List.of("2"), "XX"),
                    new KeyDiff.Keyed(List.of("4"), "dd")));
            KeyDiff.Result result = diff.finish(10);
            assertThat(result.differing()).containsExactly(List.of("2"));
            assertThat(result.differingTotal()).isEqualTo(1);
            assertThat(result.missing()).containsExactly(List.of("3"));
            assertThat(result.extra()).containsExactly(List.of("4"));
        }
    }
}
