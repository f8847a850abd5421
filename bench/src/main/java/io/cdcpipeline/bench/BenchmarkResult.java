package io.cdcpipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The figures of a sink-vs-raw run, and their section in docs/benchmarks.md.
 *
 * @param key   names the section's markers, so a new run replaces it
 * @param title the section's heading
 * @param setup what was run, where, and how (a paragraph; the machine is added)
 */
record BenchmarkResult(String key, String title, String setup, int rounds, List<Double> sinkRates,
        List<Double> rawRates) {

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The median of the per-round ratios: each round runs both paths back to back, so drift cancels out. */
    double ratio() {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < sinkRates.size(); i++) {
            ratios.add(sinkRates.get(i) / rawRates.get(i));
        }
        return median(ratios);
    }

    String summary() {
        return String.format(Locale.ROOT, "median of %d rounds: sink %,.0f rows/s, raw %,.0f rows/s; median of the "
                        + "per-round ratios %.2f (target >= 0.80)", rounds, median(sinkRates), median(rawRates), ratio());
    }

    void writeInto(Path file) throws IOException {
        StringBuilder section = new StringBuilder();
        section.append("## ").append(title).append("\n\n");
        section.append(String.format(Locale.ROOT, "Run on %s. %s%n%n", machine(), setup));
        section.append("| round | sink rows/s | raw rows/s | sink / raw |\n|---|---|---|---|\n");
        for (int i = 0; i < sinkRates.size(); i++) {
            section.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f |%n", i + 1, sinkRates.get(i),
                    rawRates.get(i), sinkRates.get(i) / rawRates.get(i)));
        }
        section.append(String.format(Locale.ROOT, "| **median** | **%,.0f** | **%,.0f** | **%.2f** |%n%n",
                median(sinkRates), median(rawRates), ratio()));
        section.append("The ratio row is the median of the per-round ratios (each round runs both paths back to back "
                + "on the same server state, so slow phases of the shared 2-core machine, such as background merges "
                + "of earlier rounds, hit both); the ratio of the two median rates is "
                + String.format(Locale.ROOT, "%.2f.%n%n", median(sinkRates) / median(rawRates)));
        section.append(String.format(Locale.ROOT, "Target: the sink reaches at least 80 %% of the raw rate: %s.%n",
                ratio() >= 0.8 ? "met" : "NOT met"));
        BenchmarkResult.writeSection(file, key, section.toString());
    }

    /** The date and the machine a benchmark ran on, for its report. */
    static String machine() {
        return String.format(Locale.ROOT, "%s: %s, %d cores, %s", LocalDate.now(), cpuModel(),
                Runtime.getRuntime().availableProcessors(), memory());
    }

    /** Puts a section (its heading and text) between its markers in {@code file}, replacing an earlier run's. */
    static void writeSection(Path file, String key, String body) throws IOException {
        String begin = "<!-- " + key + ":begin -->";
        String end = "<!-- " + key + ":end -->";
        String section = begin + "\n" + body + end + "\n";
        String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8)
                : "# Benchmarks\n\nFigures printed by the benchmarks under `bench/` (run with `bin/cdc bench ...`), "
                        + "never by tests. Each section is replaced when its benchmark runs again.\n\n";
        int from = existing.indexOf(begin);
        int to = existing.indexOf(end);
        String updated = from >= 0 && to > from
                ? existing.substring(0, from) + section + existing.substring(to + end.length() + 1)
                : existing + "\n" + section;
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.0f GiB RAM", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown RAM";
    }
}
