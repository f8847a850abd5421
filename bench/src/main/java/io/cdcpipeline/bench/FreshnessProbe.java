package io.cdcpipeline.bench;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Commit-to-visible latency as a user sees it: the marker row ({@code id = 0}) is set to a new value, and from the
 * moment the commit returns each sink is polled, the way a user would read it, until it shows that value. One probe
 * at a time, one every {@code everyMs}; a probe not seen within {@value #GIVE_UP_MS} ms counts as that long.
 */
final class FreshnessProbe {

    static final long GIVE_UP_MS = 10_000;

    /** Reads the marker row's value where a user would see it; null when it is not there. */
    @FunctionalInterface
    interface Reader {
        BigDecimal read() throws Exception;
    }

    private FreshnessProbe() {
    }

    /** Latencies in seconds, per reader, of the probes sent over {@code seconds}. */
    static Map<String, List<Double>> measure(Supplier<Connection> source, Map<String, Reader> readers, int seconds,
            long everyMs, long firstToken) throws Exception {
        Map<String, List<Double>> latencies = new LinkedHashMap<>();
        readers.keySet().forEach(name -> latencies.put(name, new ArrayList<>()));
        long token = firstToken;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        try (Connection db = source.get(); Statement st = db.createStatement()) {
            while (System.nanoTime() < end) {
                long slot = System.nanoTime();
                BigDecimal value = BigDecimal.valueOf(++token);
                st.executeUpdate("UPDATE people SET total = " + value + " WHERE id = 0");
                long committed = System.nanoTime();
                Set<String> pending = new LinkedHashSet<>(readers.keySet());
                while (!pending.isEmpty()) {
                    long waited = System.nanoTime() - committed;
                    for (String name : new ArrayList<>(pending)) {
                        BigDecimal seen = readers.get(name).read();
                        if (seen != null && seen.compareTo(value) == 0 || waited > GIVE_UP_MS * 1_000_000L) {
                            latencies.get(name).add((System.nanoTime() - committed) / 1e9);
                            pending.remove(name);
                        }
                    }
                    Thread.sleep(2);
                }
                long rest = everyMs - (System.nanoTime() - slot) / 1_000_000L;
                if (rest > 0) {
                    Thread.sleep(rest);
                }
            }
        }
        return latencies;
    }

    /** The nearest-rank percentile {@code p} (0-100) of {@code values}. */
    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
