package io.cdcpipeline.bench;

import io.cdcpipeline.bench.PipelineReaders.Kind;
import io.cdcpipeline.bench.PipelineReaders.Reader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole embedded pipeline against its source ceiling, as a user meets it. Backlog catch-up: a runner stopped
 * while {@code --updates} single-row transactions pile up in its replication slot, started again, until the last
 * change is visible in the sinks (ClickHouse's current-state view, Elasticsearch's realtime GET); the ceiling is
 * Debezium's embedded engine with a no-op consumer ({@link SourceCeiling}) on a slot stopped at the same point, so it
 * reads the very same backlog. Snapshot: a table of {@code --snapshot-rows} rows, until every row is in both sinks,
 * against the engine's snapshot alone. Freshness: commit-to-visible latency under steady loads. Every reader is a
 * process of its own under the runner's heap limit, runs alternate which goes first, and peak heap and resident
 * memory of each process are part of the figures.
 */
@Command(name = "pipeline-benchmark", mixinStandardHelpOptions = true)
public final class PipelineBenchmark implements Callable<Integer> {

    private static final String SOURCE = "bench_pl";
    private static final String SNAPSHOT_SOURCE = "bench_ps";
    private static final String TABLES_SOURCE = "bench_pm";

    @Mixin
    BenchStack stack;

    @Option(names = "--updates", defaultValue = "300000", description = "single-row update transactions in the backlog")
    int updates;

    @Option(names = "--table-rows", defaultValue = "10000", description = "rows of the table the updates spread over")
    int tableRows;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds; each writes a backlog and runs every variant")
    int rounds;

    @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of the runner and of the ceiling")
    String heap;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    @Option(names = "--profile", description = "Folder to write a JFR recording of each timed run into")
    Path profile;

    @Option(names = "--catch-up", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run the backlog catch-up rounds (default: yes)")
    boolean catchUp;

    @Option(names = "--freshness", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run the freshness runs at steady loads (default: yes)")
    boolean freshness;

    @Option(names = "--rates", split = ",", defaultValue = "500,1000,2500",
            description = "changes per second of the freshness runs")
    List<Integer> rates;

    @Option(names = "--freshness-seconds", defaultValue = "30", description = "how long each freshness run probes")
    int freshnessSeconds;

    @Option(names = "--snapshot-rows", defaultValue = "1000000",
            description = "rows of the snapshot runs' table (0: no snapshot runs)")
    int snapshotRows;

    @Option(names = "--snapshot-rounds", defaultValue = "2", description = "snapshot rounds, alternating which goes first")
    int snapshotRounds;

    @Option(names = "--snapshot-tables", defaultValue = "10",
            description = "tables of the many-table snapshot runs (0: no such runs)")
    int snapshotTables;

    @Option(names = "--snapshot-table-rows", defaultValue = "100000", description = "rows of each of those tables")
    int snapshotTableRows;

    @Option(names = "--snapshot-threads", defaultValue = "4",
            description = "Debezium's snapshot.max.threads in the many-table runs, beside 1")
    int snapshotThreads;

    private PipelineReaders readers;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PipelineBenchmark()).execute(args));
    }

    /** The catch-up readers, in the order a round starts them. */
    private static final List<Kind> CATCH_UP = List.of(Kind.CEILING, Kind.BOTH, Kind.BOTH_CHAIN, Kind.CLICKHOUSE,
            Kind.ELASTICSEARCH);

    private static Reader catchUpReader(int round, Kind kind) {
        return new Reader(kind, SOURCE + "_" + round + "_" + kind.name().toLowerCase(Locale.ROOT), SOURCE, "no_data");
    }

    private static Reader snapshotReader(int round, Kind kind) {
        return new Reader(kind, SNAPSHOT_SOURCE + "_" + round + "_" + kind.name().toLowerCase(Locale.ROOT),
                SNAPSHOT_SOURCE, "initial");
    }

    record Run(int round, Kind kind, long events, double seconds, double cpuSeconds, long peakHeapMb,
            double peakRssMb, double machineBusy, Map<String, Double> serverSeconds) {

        /** CPU microseconds per event of a server ({@link ServerCpu}). */
        double serverMicros(String server) {
            return serverSeconds.getOrDefault(server, 0.0) * 1e6 / events;
        }

        double rate() {
            return events / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("bench-pipeline");
        readers = new PipelineReaders(stack, heap, work, profile);
        List<Run> runs = new ArrayList<>();
        List<Freshness> latencies = new ArrayList<>();
        List<Run> snapshots = new ArrayList<>();
        List<ThreadedRun> manyTables = new ArrayList<>();
        try {
            if (catchUp || freshness) {
                stack.freshDatabases(SOURCE);
                try (Connection db = stack.source(SOURCE); Statement st = db.createStatement()) {
                    st.execute(PeopleChanges.DDL);
                    st.execute(PeopleChanges.insert(0, tableRows));
                }
            }
            for (int round = 1; catchUp && round <= rounds; round++) {
                runs.addAll(catchUpRound(round));
            }
            if (freshness) {
                latencies.addAll(freshness());
            }
            if (snapshotRows > 0) {
                snapshots.addAll(snapshots());
            }
            if (snapshotTables > 0) {
                manyTables.addAll(manyTableSnapshots());
            }
        } finally {
            for (int round = 0; round <= Math.max(rounds, snapshotRounds); round++) {
                for (Kind kind : Kind.values()) {
                    stack.dropAll(catchUpReader(round, kind).name());
                    stack.dropAll(snapshotReader(round, kind).name());
                }
            }
            for (ThreadedRun run : manyTables) {
                stack.dropAll(run.reader().name());
            }
            stack.dropAll(SOURCE);
            stack.dropAll(SNAPSHOT_SOURCE);
            stack.dropAll(TABLES_SOURCE);
        }
        if (catchUp) {
            summary(runs).forEach(System.out::println);
        }
        if (report != null) {
            writeReport(runs, latencies, snapshots, manyTables);
        }
        return 0;
    }

    /**
     * A runner with both sinks under steady loads ({@code --rates}, single-row and 10-row transactions), probed for
     * commit-to-visible latency in each sink as a user reads it.
     */
    private List<Freshness> freshness() throws Exception {
        List<Freshness> results = new ArrayList<>();
        Reader runner = catchUpReader(0, Kind.BOTH);
        Map<String, FreshnessProbe.Reader> sinks = new LinkedHashMap<>();
        sinks.put("ClickHouse, `_current` view", () -> readers.clickHouseTotal(runner.name()));
        sinks.put("Elasticsearch, realtime GET", () -> readers.elasticsearchTotal(runner.name()));
        sinks.put("Elasticsearch, search", () -> readers.elasticsearchSearchTotal(runner.name()));
        // Debezium's own commit-to-handler latency in the same runs: the engine alone on a slot of its own.
        Reader engine = catchUpReader(0, Kind.CEILING);
        sinks.put(Freshness.ENGINE, () -> readers.seenByCeiling(engine));
        try (JvmProcess p = readers.start(runner, "freshness", false);
                JvmProcess e = readers.start(engine, "freshness", false)) {
            readers.awaitStarted(p, runner, "freshness", BigDecimal.valueOf(700_000));
            readers.awaitStarted(e, engine, "freshness", BigDecimal.valueOf(700_001));
            long token = 1_000_000;
            for (int rate : rates) {
                for (int perTransaction : List.of(1, 10)) {
                    List<Freshness> load = Freshness.underLoad(stack, SOURCE, rate, perTransaction, tableRows, sinks,
                            freshnessSeconds, token);
                    token += 1_000_000;
                    p.sample();
                    for (Freshness f : load) {
                        results.add(f.withMemory(p.peakHeapMb(), p.peakRssMb()));
                        System.out.println(f.line());
                    }
                }
            }
        }
        return results;
    }

    private List<Run> catchUpRound(int round) throws Exception {
        for (Kind kind : CATCH_UP) {
            Reader r = catchUpReader(round, kind);
            System.out.printf(Locale.ROOT, "round %d: %s starts once, to make its slot and tables%n", round, kind.label);
            try (JvmProcess p = readers.start(r, "prepare", false)) {
                readers.awaitStarted(p, r, "prepare", BigDecimal.valueOf(800_000 + round * 10 + kind.ordinal()));
            }
        }
        System.out.printf(Locale.ROOT, "round %d: writing %,d single-row update transactions while all are stopped%n",
                round, updates);
        long t0 = System.nanoTime();
        try (Connection db = stack.source(SOURCE); Statement st = db.createStatement()) {
            st.execute("SET synchronous_commit = off");
            st.execute(PeopleChanges.backlog(updates, tableRows));
        }
        BigDecimal marker = BigDecimal.valueOf(900_000 + round);
        stack.setMarker(SOURCE, marker);
        System.out.printf(Locale.ROOT, "round %d: backlog written in %.1f s%n", round, (System.nanoTime() - t0) / 1e9);
        List<Kind> order = new ArrayList<>(CATCH_UP);
        if (round % 2 == 0) {
            Collections.reverse(order);
        }
        List<Run> runs = new ArrayList<>();
        for (Kind kind : order) {
            Reader r = catchUpReader(round, kind);
            runs.add(readers.timed(round, r, "catch-up", updates + 1L, () -> readers.markerIs(r, marker)));
        }
        for (Kind kind : CATCH_UP) {
            stack.dropAll(catchUpReader(round, kind).name()); // its slot would keep the next rounds' WAL
        }
        return runs;
    }

    /**
     * A table of {@code --snapshot-rows} rows, snapshotted by a runner with both sinks until every row is in both,
     * and by the engine alone (its reads counted), alternating which goes first.
     */
    private List<Run> snapshots() throws Exception {
        stack.freshDatabases(SNAPSHOT_SOURCE);
        System.out.printf(Locale.ROOT, "snapshot: writing a table of %,d rows%n", snapshotRows);
        try (Connection db = stack.source(SNAPSHOT_SOURCE); Statement st = db.createStatement()) {
            st.execute(PeopleChanges.DDL);
            for (int from = 1; from <= snapshotRows; from += 100_000) {
                st.execute(PeopleChanges.insert(from, Math.min(snapshotRows, from + 99_999)));
            }
            st.execute("VACUUM ANALYZE people");
        }
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= snapshotRounds; round++) {
            List<Kind> order = round % 2 == 1 ? List.of(Kind.CEILING, Kind.BOTH) : List.of(Kind.BOTH, Kind.CEILING);
            for (Kind kind : order) {
                Reader r = snapshotReader(round, kind);
                runs.add(readers.timed(round, r, "snapshot", snapshotRows, () -> readers.delivered(r) >= snapshotRows));
                stack.dropAll(r.name());
            }
        }
        return runs;
    }

    /** A snapshot run of the many-table source with Debezium's snapshot.max.threads. */
    record ThreadedRun(Reader reader, Run run) {
    }

    /**
     * {@code --snapshot-tables} tables of {@code --snapshot-table-rows} rows each, snapshotted by the engine alone and
     * by the runner (both sinks), each with snapshot.max.threads 1 and {@code --snapshot-threads}; rounds alternate
     * the order.
     */
    private List<ThreadedRun> manyTableSnapshots() throws Exception {
        stack.freshDatabases(TABLES_SOURCE);
        List<String> tables = new ArrayList<>();
        System.out.printf(Locale.ROOT, "snapshot: writing %d tables of %,d rows%n", snapshotTables, snapshotTableRows);
        try (Connection db = stack.source(TABLES_SOURCE); Statement st = db.createStatement()) {
            for (int t = 1; t <= snapshotTables; t++) {
                String table = "people_" + t;
                tables.add(table);
                st.execute(PeopleChanges.DDL.replace("TABLE people", "TABLE " + table));
                st.execute(PeopleChanges.insert(1, snapshotTableRows).replace("INTO people", "INTO " + table));
            }
            st.execute("VACUUM ANALYZE");
        }
        long rows = (long) snapshotTables * snapshotTableRows;
        List<Reader> variants = new ArrayList<>();
        for (int threads : List.of(1, snapshotThreads)) {
            for (Kind kind : List.of(Kind.CEILING, Kind.BOTH)) {
                variants.add(new Reader(kind, TABLES_SOURCE + "_" + kind.name().toLowerCase(Locale.ROOT) + "_t"
                        + threads, TABLES_SOURCE, "initial", tables, threads));
            }
        }
        List<ThreadedRun> runs = new ArrayList<>();
        for (int round = 1; round <= snapshotRounds; round++) {
            List<Reader> order = new ArrayList<>(variants);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (Reader variant : order) {
                Reader r = new Reader(variant.kind(), variant.name() + "_" + round, TABLES_SOURCE, "initial", tables,
                        variant.snapshotThreads());
                Run run = readers.timed(round, r, "snapshot-" + snapshotTables + "-tables-t" + r.snapshotThreads(),
                        rows, () -> readers.delivered(r) >= rows);
                runs.add(new ThreadedRun(r, run));
                stack.dropAll(r.name());
            }
        }
        return runs;
    }

    private void manyTablesReport(StringBuilder s, List<ThreadedRun> runs) {
        long rows = (long) snapshotTables * snapshotTableRows;
        s.append(String.format(Locale.ROOT, "## Pipeline: snapshot of many tables%n%nRun on %s. `bin/cdc bench "
                + "pipeline`: %d tables of %,d rows (%,d rows), read "
                + "by a new slot's initial snapshot with Debezium's `snapshot.max.threads` 1 and %d, by the runner "
                + "(both sinks, `-Xmx%s`) until both sinks hold every row and by the engine alone until it has seen "
                + "every read; rounds alternate the order.%n%n| round | threads | reader | rows/s | ratio to the engine "
                + "alone, same threads | peak heap MB | peak RSS MB |%n|---|---|---|---|---|---|---|%n",
                BenchmarkResult.machine(), snapshotTables,
                snapshotTableRows, rows, snapshotThreads, heap));
        Map<Integer, List<Double>> ratios = new LinkedHashMap<>();
        for (ThreadedRun t : runs) {
            int threads = t.reader().snapshotThreads();
            Run engine = runs.stream().filter(o -> o.run().round() == t.run().round() && o.run().kind() == Kind.CEILING
                    && o.reader().snapshotThreads() == threads).findFirst().orElseThrow().run();
            if (t.run().kind() != Kind.CEILING) {
                ratios.computeIfAbsent(threads, k -> new ArrayList<>()).add(t.run().rate() / engine.rate());
            }
            s.append(String.format(Locale.ROOT, "| %d | %d | %s | %,.0f | %.2f | %d | %.0f |%n", t.run().round(),
                    threads, t.run().kind().label, t.run().rate(), t.run().rate() / engine.rate(),
                    t.run().peakHeapMb(), t.run().peakRssMb()));
        }
        s.append('\n');
        ratios.forEach((threads, r) -> {
            double ratio = BenchmarkResult.median(r);
            double rate = BenchmarkResult.median(runs.stream().filter(t -> t.run().kind() != Kind.CEILING
                    && t.reader().snapshotThreads() == threads).map(t -> t.run().rate()).toList());
            s.append(String.format(Locale.ROOT, "- snapshot.max.threads %d: the runner at %,.0f rows/s, %.2f of the "
                    + "engine's alone (median; target >= 0.80: %s)%n", threads, rate, ratio,
                    ratio >= 0.8 ? "met" : "NOT met"));
        });
    }

    private List<String> summary(List<Run> runs) {
        List<String> lines = new ArrayList<>();
        for (Kind v : CATCH_UP) {
            if (v == Kind.CEILING) {
                continue;
            }
            double ratio = BenchmarkResult.median(ratios(runs, v));
            lines.add(String.format(Locale.ROOT, "%s: %.2f of the ceiling (median of %d rounds)%s", v.label, ratio,
                    rounds, v == Kind.BOTH ? (ratio >= 0.9 ? ", target >= 0.90 met" : ", target >= 0.90 NOT met")
                            : ""));
        }
        double plain = BenchmarkResult.median(cpuPerEvent(runs, Kind.BOTH));
        double chained = BenchmarkResult.median(cpuPerEvent(runs, Kind.BOTH_CHAIN));
        lines.add(String.format(Locale.ROOT, "the transform chain, from these runs: %.1f us of the runner's CPU per "
                + "event with it, %.1f us without (medians): %+.1f us, %.1f %% (target < 5 %%: %s)", chained, plain,
                chained - plain, (chained - plain) / plain * 100, (chained - plain) / plain < 0.05 ? "met" : "NOT met"));
        return lines;
    }

    private static List<Double> cpuPerEvent(List<Run> runs, Kind kind) {
        return runs.stream().filter(r -> r.kind() == kind).map(r -> r.cpuSeconds() * 1e6 / r.events()).toList();
    }

    private List<Double> ratios(List<Run> runs, Kind v) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Run ceiling = find(runs, round, Kind.CEILING);
            Run run = find(runs, round, v);
            ratios.add(run.rate() / ceiling.rate());
        }
        return ratios;
    }

    private static Run find(List<Run> runs, int round, Kind v) {
        return runs.stream().filter(r -> r.round() == round && r.kind() == v).findFirst().orElseThrow();
    }

    private void writeReport(List<Run> runs, List<Freshness> freshness, List<Run> snapshots,
            List<ThreadedRun> manyTables) throws IOException {
        if (!manyTables.isEmpty()) {
            StringBuilder tables = new StringBuilder();
            manyTablesReport(tables, manyTables);
            BenchmarkResult.writeSection(report, "pipeline-tables", tables.toString());
        }
        if (runs.isEmpty() && snapshots.isEmpty() && freshness.isEmpty()) {
            return; // only the many-table runs: the other figures on the page stay as their last run left them
        }
        StringBuilder s = new StringBuilder(
                "## Pipeline end to end: catch-up against the source ceiling, snapshot, freshness, memory\n\n");
        if (!catchUp) {
            s.append("Catch-up not run this time (`--no-catch-up`).\n");
        } else {
            catchUpReport(s, runs);
        }
        if (!snapshots.isEmpty()) {
            snapshotReport(s, snapshots);
        }
        if (!freshness.isEmpty()) {
            freshnessReport(s, freshness);
        }
        BenchmarkResult.writeSection(report, "pipeline", s.toString());
    }

    private void snapshotReport(StringBuilder s, List<Run> snapshots) {
        s.append(String.format(Locale.ROOT, "%n### Snapshot%n%nA `people` table of %,d rows, read by a new slot's "
                + "initial snapshot: the runner (both sinks, `-Xmx%s`, the runner's defaults) timed from its process "
                + "start until both sinks hold every row (ClickHouse `count()`, Elasticsearch `_count`), against "
                + "Debezium's engine with a no-op consumer until it has seen every read; rounds alternate which goes "
                + "first.%n%n| round | reader | rows/s | ratio to the engine alone | peak heap MB | peak RSS MB |%n"
                + "|---|---|---|---|---|---|%n", snapshotRows, heap));
        List<Double> ratios = new ArrayList<>();
        for (Run run : snapshots) {
            Run engine = find(snapshots, run.round(), Kind.CEILING);
            if (run.kind() != Kind.CEILING) {
                ratios.add(run.rate() / engine.rate());
            }
            s.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.2f | %d | %.0f |%n", run.round(),
                    run.kind().label, run.rate(), run.rate() / engine.rate(), run.peakHeapMb(), run.peakRssMb()));
        }
        double ratio = BenchmarkResult.median(ratios);
        s.append(String.format(Locale.ROOT, "%n- the runner's snapshot: %.2f of the engine's alone (median; target >= "
                + "0.80: %s)%n", ratio, ratio >= 0.8 ? "met" : "NOT met"));
    }

    private void freshnessReport(StringBuilder s, List<Freshness> freshness) {
        s.append(String.format(Locale.ROOT, "%n### Freshness at steady loads%n%nOne runner (both sinks, `-Xmx%s`) "
                + "under steady update loads on the same table (`synchronous_commit = off` for the load, so that the "
                + "disk's fsync does not cap the rate), single-row and 10-row transactions; every 250 ms the marker "
                + "row is set to a new value and, from the moment its commit returns, each sink is polled as a user "
                + "reads it until it shows the value (%d s per load, after 3 s of load alone). Elasticsearch search "
                + "sees a document only after a refresh (1 s by default); realtime GET does not wait for one. "
                + "The row '" + Freshness.ENGINE + "' is Debezium's embedded engine with a no-op consumer on a slot of "
                + "its own, running beside the runner: commit to its handler, the floor under every sink's figure.%n%n",
                heap, freshnessSeconds));
        Freshness.table(s, freshness);
        double worst = Freshness.worstP99(freshness);
        Freshness last = freshness.get(freshness.size() - 1);
        s.append(String.format(Locale.ROOT, "%n- highest p99 of ClickHouse and Elasticsearch GET: %.3f s (target <= "
                + "0.25 s: %s)%n- the runner's memory at the end of these runs: peak heap %d MB, peak RSS %.0f MB%n",
                worst, worst <= 0.25 ? "met" : "NOT met", last.peakHeapMb(), last.peakRssMb()));
    }

    private void catchUpReport(StringBuilder s, List<Run> runs) throws IOException {
        s.append(String.format(Locale.ROOT, "Run on %s. `bin/cdc bench pipeline`: a `people` table of %,d rows; "
                + "each round stops every reader, writes %,d single-row update transactions, then starts each reader "
                + "again and times it from its process start until the last change is visible (ClickHouse: the "
                + "`_current` view; Elasticsearch: realtime GET; ceiling: seen by the consumer). The ceiling is "
                + "Debezium's embedded engine with a no-op consumer on a slot stopped at the same point. Every reader "
                + "is a process of its own at `-Xmx%s` with the runner's defaults; rounds alternate which goes first. "
                + "Peak heap: the largest occupancy before a collection (GC log); peak RSS: the kernel's high-water "
                + "mark.%n%n", BenchmarkResult.machine(), tableRows, updates, heap));
        s.append("| round | reader | events/s | ratio to ceiling | CPU us per event: reader, Postgres, ClickHouse, "
                + "Elasticsearch | machine CPU busy | peak heap MB | peak RSS MB |\n");
        s.append("|---|---|---|---|---|---|---|---|\n");
        for (Run run : runs) {
            Run ceiling = find(runs, run.round(), Kind.CEILING);
            s.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.2f | %.0f, %.0f, %.0f, %.0f | %.0f %% | %d | "
                    + "%.0f |%n", run.round(), run.kind().label, run.rate(), run.rate() / ceiling.rate(),
                    run.cpuSeconds() * 1e6 / run.events(), run.serverMicros(ServerCpu.POSTGRES),
                    run.serverMicros(ServerCpu.CLICKHOUSE), run.serverMicros(ServerCpu.ELASTICSEARCH),
                    run.machineBusy() * 100, run.peakHeapMb(), run.peakRssMb()));
        }
        s.append('\n');
        summary(runs).forEach(line -> s.append("- ").append(line).append('\n'));
        long heapPeak = runs.stream().filter(r -> r.kind() != Kind.CEILING).mapToLong(Run::peakHeapMb).max()
                .orElse(0);
        double rssPeak = runs.stream().filter(r -> r.kind() != Kind.CEILING).mapToDouble(Run::peakRssMb).max()
                .orElse(0);
        s.append(String.format(Locale.ROOT, "- runner memory, highest of all runs: heap %d MB (target <= 512: %s), "
                + "RSS %.0f MB (target <= 800: %s)%n", heapPeak, heapPeak <= 512 ? "met" : "NOT met", rssPeak,
                rssPeak <= 800 ? "met" : "NOT met"));
    }
}
