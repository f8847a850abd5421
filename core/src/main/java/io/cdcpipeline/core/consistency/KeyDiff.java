package io.cdcpipeline.core.consistency;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys one side has and the other lacks, and the keys whose row hashes differ, for tables of any size in bounded
 * memory: each side's keys, with a hash of the row's values, are spread by hash over
 * bucket files on disk, then compared bucket by bucket (one bucket's source keys in memory at a time). The keys
 * found are kept up to {@code keep} per kind, with exact totals beyond. The two sides may be added from two threads
 * (each writes only its own files); {@link #finish} after both are done.
 */
public final class KeyDiff implements AutoCloseable {

    /** Keys of each kind (at most {@code keep}, in key-text order) and their exact totals. */
    public record Result(long sourceKeys, long targetKeys, long missingTotal, List<List<String>> missing,
            long extraTotal, List<List<String>> extra, long differingTotal, List<List<String>> differing) {
    }

    /** A key and the hash of its row's values. */
    public record Keyed(List<String> key, String hash) {
    }

    private static final char HASH_SEPARATOR = '\u001f';

    private final Path dir;
    private final int buckets;
    private final BufferedWriter[] source;
    private final BufferedWriter[] target;
    private long sourceKeys;
    private long targetKeys;

    /** @param expectedKeys about how many keys a side has: it sets how many buckets (about 50,000 keys each) */
    public KeyDiff(Path workDir, long expectedKeys) {
        this.buckets = (int) Math.max(1, Math.min(4096, expectedKeys / 50_000 + 1));
        try {
            this.dir = Files.createTempDirectory(workDir, "keydiff-");
            this.source = new BufferedWriter[buckets];
            this.target = new BufferedWriter[buckets];
            for (int b = 0; b < buckets; b++) {
                source[b] = Files.newBufferedWriter(dir.resolve("s" + b), StandardCharsets.UTF_8);
                target[b] = Files.newBufferedWriter(dir.resolve("t" + b), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key files of a comparison under " + workDir, e);
        }
    }

    /** Keys added from the source so far. */
    public long sourceKeys() {
        return sourceKeys;
    }

    /** Keys added from the target so far. */
    public long targetKeys() {
        return targetKeys;
    }

    public void addSourceRows(List<Keyed> rows) {
        rows.forEach(row -> write(source, row.key(), row.hash()));
        sourceKeys += rows.size();
    }

    public void addTargetRows(List<Keyed> rows) {
        rows.forEach(row -> write(target, row.key(), row.hash()));
        targetKeys += rows.size();
    }

    private void write(BufferedWriter[] side, List<String> key, String hash) {
        String line = encode(key);
        try {
            BufferedWriter out = side[Math.floorMod(line.hashCode(), buckets)];
            out.write(line);
            out.write(HASH_SEPARATOR);
            out.write(hash);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compares the two sides; keeps at most {@code keep} keys of each kind. */
    public Result finish(int keep) {
        try {
            for (int b = 0; b < buckets; b++) {
                source[b].close();
                target[b].close();
            }
            long missingTotal = 0;
            long extraTotal = 0;
            long differingTotal = 0;
            List<String> missing = new ArrayList<>();
            List<String> extra = new ArrayList<>();
            List<String> differing = new ArrayList<>();
            for (int b = 0; b < buckets; b++) {
                Map<String, String> inSource = new HashMap<>();
                for (String line : Files.readAllLines(dir.resolve("s" + b), StandardCharsets.UTF_8)) {
                    int cut = line.indexOf(HASH_SEPARATOR);
                    inSource.put(line.substring(0, cut), line.substring(cut + 1));
                }
                try (BufferedReader in = Files.newBufferedReader(dir.resolve("t" + b), StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        int cut = line.indexOf(HASH_SEPARATOR);
                        String key = line.substring(0, cut);
                        String hash = inSource.remove(key);
                        if (hash == null) {
                            extraTotal++;
                            keepSmallest(extra, key, keep);
                        } else if (!hash.equals(line.substring(cut + 1))) {
                            differingTotal++;
                            keepSmallest(differing, key, keep);
                        }
                    }
                }
                missingTotal += inSource.size();
                for (String key : inSource.keySet()) {
                    keepSmallest(missing, key, keep);
                }
            }
            return new Result(sourceKeys, targetKeys, missingTotal, decode(missing), extraTotal, decode(extra),
                    differingTotal, decode(differing));
        } catch (IOException e) {
            throw new UncheckedIOException("comparing the key files under " + dir + " failed", e);
        }
    }

    /** Keeps the {@code keep} smallest lines seen, so that samples do not depend on the bucket order. */
    private static void keepSmallest(List<String> kept, String line, int keep) {
        if (keep <= 0) {
            return;
        }
        if (kept.size() < keep) {
            kept.add(line);
            if (kept.size() == keep) {
                kept.sort(Comparator.naturalOrder());
            }
            return;
        }
        if (line.compareTo(kept.get(keep - 1)) < 0) {
            int at = -Collections.binarySearch(kept, line) - 1;
            kept.add(Math.max(at, 0), line);
            kept.remove(kept.size() - 1);
        }
    }

    private static List<List<String>> decode(List<String> lines) {
        List<String> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.naturalOrder());
        List<List<String>> keys = new ArrayList<>(sorted.size());
        for (String line : sorted) {
            keys.add(decodeLine(line));
        }
        return keys;
    }

    /** One line per key: values separated by tabs, with backslash escapes for tab, newline and backslash. */
    static String encode(List<String> key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                out.append('\t');
            }
            String value = key.get(i);
            for (int c = 0; c < value.length(); c++) {
                char ch = value.charAt(c);
                switch (ch) {
                    case '\\' -> out.append("\\\\");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case HASH_SEPARATOR -> out.append("\\s");
                    default -> out.append(ch);
                }
            }
        }
        return out.toString();
    }

    static List<String> decodeLine(String line) {
        List<String> values = new ArrayList<>();
        StringBuilder value = new StringBuilder();
        for (int c = 0; c < line.length(); c++) {
            char ch = line.charAt(c);
            if (ch == '\t') {
                values.add(value.toString());
                value.setLength(0);
            } else if (ch == '\\' && c + 1 < line.length()) {
                char next = line.charAt(++c);
                value.append(switch (next) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 's' -> HASH_SEPARATOR;
                    default -> next;
                });
            } else {
                value.append(ch);
            }
        }
        values.add(value.toString());
        return values;
    }

    @Override
    public void close() {
        for (int b = 0; b < buckets; b++) {
            try {
                source[b].close();
                target[b].close();
            } catch (IOException ignored) {
                // closing after a failure: the files go below anyway
            }
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
