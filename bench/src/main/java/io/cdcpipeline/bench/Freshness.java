package io.cdcpipeline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Commit-to-visible latencies of one sink at one steady load, as the pipeline benchmarks measure and report them.
 *
 * @param reached the changes per second the load reached
 * @param sink    the sink and how it was read
 */
record Freshness(int rate, int perTransaction, double reached, String sink, List<Double> seconds, long peakHeapMb,
        double peakRssMb) {

    /** The row of Debezium's engine alone: commit to its handler, the floor under every sink's latency. */
    static final String ENGINE = "Debezium engine alone, its handler";

    /**
     * A steady load of {@code rate} changes/s in transactions of {@code perTransaction} rows on database
     * {@code db}'s {@code people} table, probed for {@code seconds} after 3 s of load alone; each sink's latencies.
     */
    static List<Freshness> underLoad(BenchStack stack, String db, int rate, int perTransaction, int tableRows,
            Map<String, FreshnessProbe.Reader> sinks, int seconds, long token) throws Exception {
        long t0 = System.nanoTime();
        Map<String, List<Double>> latencies;
        long changes;
        try (SteadyLoad load = new SteadyLoad(() -> stack.source(db), rate, perTransaction, tableRows)) {
            Thread.sleep(3000); // the load settles before the first probe
            latencies = FreshnessProbe.measure(() -> stack.source(db), sinks, seconds, 250, token);
            changes = load.changes();
        }
        double reached = changes / ((System.nanoTime() - t0) / 1e9);
        List<Freshness> results = new ArrayList<>();
        latencies.forEach((sink, values) -> results.add(new Freshness(rate, perTransaction, reached, sink, values, 0, 0)));
        return results;
    }

    Freshness withMemory(long heapMb, double rssMb) {
        return new Freshness(rate, perTransaction, reached, sink, seconds, heapMb, rssMb);
    }

    double p(double percentile) {
        return FreshnessProbe.percentile(seconds, percentile);
    }

    /** Probes the sink did not show within {@link FreshnessProbe#GIVE_UP_MS}: their latency is at least that. */
    long gaveUp() {
        return seconds.stream().filter(v -> v * 1000 >= FreshnessProbe.GIVE_UP_MS).count();
    }

    /** One line of progress output. */
    String line() {
        return String.format(Locale.ROOT, "freshness at %,d changes/s (%d per transaction, %,.0f reached), %s: p50 "
                + "%.3f s, p99 %.3f s, max %.3f s (%d probes, %d not seen within %d s)", rate, perTransaction, reached,
                sink, p(50), p(99), p(100), seconds.size(), gaveUp(), FreshnessProbe.GIVE_UP_MS / 1000);
    }

    /** The Markdown table of {@code results}. */
    static void table(StringBuilder s, List<Freshness> results) {
        s.append("| changes/s (reached) | per transaction | sink, read by | p50 s | p90 s | p99 s | max s | probes | "
                + "not seen within " + FreshnessProbe.GIVE_UP_MS / 1000 + " s |\n");
        s.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Freshness f : results) {
            s.append(String.format(Locale.ROOT, "| %,d (%,.0f) | %d | %s | %.3f | %.3f | %.3f | %.3f | %d | %d |%n",
                    f.rate(), f.reached(), f.perTransaction(), f.sink(), f.p(50), f.p(90), f.p(99), f.p(100),
                    f.seconds().size(), f.gaveUp()));
        }
    }

    /** The highest p99 of the sinks read without waiting for a search refresh (ClickHouse, Elasticsearch GET). */
    static double worstP99(List<Freshness> results) {
        return results.stream().filter(f -> !f.sink().endsWith("search") && !f.sink().equals(ENGINE))
                .mapToDouble(f -> f.p(99)).max().orElse(0);
    }
}
