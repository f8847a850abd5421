package io.cdcpipeline.bench;

import com.sun.management.OperatingSystemMXBean;
import io.cdcpipeline.embedded.EmbeddedPipeline;
import io.cdcpipeline.embedded.PipelineFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the transform chain costs against the pipeline it runs in. Part one streams {@code --rows} inserts through
 * the embedded pipeline (Postgres -> Debezium -> ClickHouse and Elasticsearch sinks) and measures this JVM's CPU time
 * per record, without transforms, with the chain on the source (once per change, for both sinks) and with the chain
 * minus CdcRoute, alternating.
 * Part two is the JMH benchmark {@link TransformChainBenchmark} (a forked JVM): the chain's time per record. The
 * target: the chain costs under 5 % of the pipeline's per-record CPU time.
 */
@Command(name = "transforms-benchmark", mixinStandardHelpOptions = true)
public final class TransformsBenchmark implements Callable<Integer> {

    @Mixin
    BenchStack stack;

    @Option(names = "--rows", defaultValue = "100000", description = "inserts streamed per pipeline run")
    int rows;

    @Option(names = "--rounds", defaultValue = "3", description = "pipeline rounds; each runs every variant once")
    int rounds;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TransformsBenchmark()).execute(args));
    }

    /** CPU time and wall time of one pipeline run over {@code rows} inserts. */
    /** What a pipeline run has on its source. */
    enum Variant {
        PLAIN("no transforms"), CHAIN("with the chain"), UNROUTED("the chain without CdcRoute"),
        ONE_CHEAP("SchemaChangeSignal alone");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    record PipelineRun(Variant variant, long cpuNanos, long wallNanos, long rows) {
        double cpuPerRecordMicros() {
            return cpuNanos / 1000.0 / rows;
        }

        double rate() {
            return rows / (wallNanos / 1e9);
        }
    }

    @Override
    public Integer call() throws Exception {
        List<PipelineRun> runs = new ArrayList<>();
        PipelineRun warmUp = runPipeline("bench_tf_warmup", Variant.CHAIN);
        System.out.printf(Locale.ROOT, "warm-up run (not counted): %.1f us CPU per record%n", warmUp.cpuPerRecordMicros());
        for (int round = 1; round <= rounds; round++) {
            for (Variant variant : Variant.values()) {
                PipelineRun run = runPipeline("bench_tf_" + round + "_" + variant.name().toLowerCase(Locale.ROOT), variant);
                runs.add(run);
                System.out.printf(Locale.ROOT, "pipeline round %d %s: %,d rows in %.1f s (%,.0f rows/s), %.1f us CPU per "
                                + "record%n", round, variant.label, run.rows(),
                        run.wallNanos() / 1e9, run.rate(), run.cpuPerRecordMicros());
            }
        }
        Collection<RunResult> jmh = new Runner(new OptionsBuilder()
                .include(TransformChainBenchmark.class.getName())
                .forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .jvmArgs("-Xmx1g").build()).run();
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (RunResult result : jmh) {
            String name = result.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1), new double[] {result.getPrimaryResult().getScore(),
                    result.getPrimaryResult().getScoreError()});
        }
        double plain = BenchmarkResult.median(cpu(runs, Variant.PLAIN));
        double chained = BenchmarkResult.median(cpu(runs, Variant.CHAIN));
        double unrouted = BenchmarkResult.median(cpu(runs, Variant.UNROUTED));
        double oneCheap = BenchmarkResult.median(cpu(runs, Variant.ONE_CHEAP));
        double chainMicros = scores.get("chain")[0] / 1000.0;
        // Judged on the pipeline runs: what a user pays is the pipeline's CPU with the chain against without it,
        // which includes what the chain's output costs the sinks; JMH times the chain alone.
        double share = (chained - plain) / plain;
        String summary = String.format(Locale.ROOT, "pipeline %.1f us CPU per record with the chain, %.1f without "
                + "(medians): %+.1f %% (target < 5 %%: %s); the chain alone %.2f us per record (JMH)", chained, plain,
                share * 100, share < 0.05 ? "met" : "NOT met", chainMicros);
        System.out.println(summary);
        if (report != null) {
            writeReport(runs, scores, plain, chained, unrouted, oneCheap, chainMicros, share);
        }
        return 0;
    }

    private static List<Double> cpu(List<PipelineRun> runs, Variant variant) {
        return runs.stream().filter(r -> r.variant() == variant).map(PipelineRun::cpuPerRecordMicros).toList();
    }

    private PipelineRun runPipeline(String name, Variant variant) throws Exception {
        stack.freshDatabases(name);
        String dbUrl = stack.dbUrl(name);
        try (Connection db = DriverManager.getConnection(dbUrl, stack.pgUser, null); Statement st = db.createStatement()) {
            st.execute(PeopleChanges.DDL);
        }
        Path work = Files.createTempDirectory(name);
        EmbeddedPipeline pipeline = EmbeddedPipeline.validate(PipelineFile.parse(config(name, work, variant)));
        pipeline.start();
        try (Connection db = DriverManager.getConnection(dbUrl, stack.pgUser, null); Statement st = db.createStatement()) {
            st.execute(PeopleChanges.insert(0, 0)); // the probe: once it is delivered, the pipeline is streaming
            awaitDelivered(pipeline, 1);
            var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (long from = 1; from <= rows; from += 10_000) {
                st.execute(PeopleChanges.insert(from, Math.min(rows, from + 9_999)));
            }
            awaitDelivered(pipeline, rows + 1);
            long wall = System.nanoTime() - t0;
            long cpu = os.getProcessCpuTime() - cpu0;
            if (pipeline.failure() != null) {
                throw new IllegalStateException("the pipeline failed", pipeline.failure());
            }
            return new PipelineRun(variant, cpu, wall, rows);
        } finally {
            pipeline.close();
            stack.dropAll(name);
        }
    }

    private Map<String, String> config(String name, Path work, Variant variant) {
        Map<String, String> c = stack.pipeline(name, work, "public.people");
        if (variant != Variant.PLAIN) {
            // On the source, as docs/transforms.md recommends: run once per change for both sinks, and nothing
            // downstream of it sees personal data.
            PeopleChanges.chainConfig("benchmark-hash-key-0123456789abcdef").forEach((k, v) -> c.put("source." + k, v));
            if (variant == Variant.UNROUTED) {
                c.put("source.transforms", "pii,filter,signal");
            } else if (variant == Variant.ONE_CHEAP) {
                c.put("source.transforms", "signal");
            }
        }
        return c;
    }

    private static void awaitDelivered(EmbeddedPipeline pipeline, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (pipeline.eventsDelivered() < count) {
            if (pipeline.failure() != null || System.nanoTime() > deadline) {
                throw new IllegalStateException("the pipeline delivered " + pipeline.eventsDelivered() + " of " + count
                        + " events", pipeline.failure());
            }
            Thread.sleep(20);
        }
    }

    private static double fastest(List<PipelineRun> runs) {
        return cpu(runs, Variant.PLAIN).stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double spread(List<PipelineRun> runs) {
        List<Double> plain = cpu(runs, Variant.PLAIN);
        return plain.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                - plain.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private void writeReport(List<PipelineRun> runs, Map<String, double[]> scores, double plain, double chained,
            double unrouted, double oneCheap, double chainMicros, double share) throws Exception {
        StringBuilder s = new StringBuilder("## Transform chain vs pipeline CPU per record\n\n");
        s.append(String.format(Locale.ROOT, "Run on %s. `bin/cdc bench transforms`: %,d inserts into a `people` table "
                + "(e-mail, name, birth date, tenant, total, timestamp) streamed through the embedded pipeline "
                + "(Postgres 15 -> Debezium 3.6 -> ClickHouse 18.16 and Elasticsearch 8.19 sinks) without transforms and "
                + "with the chain on the source (`source.transforms`, once per change for both sinks), and with the chain "
                + "minus CdcRoute, and with SchemaChangeSignal alone, after one uncounted warm-up run, then %d rounds alternating; CPU time is this JVM's (Debezium, transforms, "
                + "both sinks, JIT, GC), not the servers'. The chain: ProtectPii (HMAC-SHA-256 of the e-mail and "
                + "generalise:year of the birth date by classification label, truncate:1 of the name), CdcFilter "
                + "(`op != 'd' and total >= 0`), CdcRoute (`${tenant}_people` by the tenant column), "
                + "SchemaChangeSignal. JMH (1 fork, 3x2 s warm-up, 5x2 s measured) times the same chain through the "
                + "runner's TransformChain on Debezium-shaped records.%n%n", BenchmarkResult.machine(), rows, rounds));
        s.append("| pipeline run | rows/s | CPU us per record |\n|---|---|---|\n");
        for (int i = 0; i < runs.size(); i++) {
            PipelineRun run = runs.get(i);
            s.append(String.format(Locale.ROOT, "| round %d, %s | %,.0f | %.1f |%n", i / Variant.values().length + 1,
                    run.variant().label, run.rate(), run.cpuPerRecordMicros()));
        }
        s.append("\n| JMH benchmark | ns per record |\n|---|---|\n");
        scores.forEach((name, score) -> s.append(String.format(Locale.ROOT, "| %s | %.0f ± %.0f |%n", name, score[0],
                score[1])));
        s.append(String.format(Locale.ROOT, "%nJudged on the pipeline runs: %.1f us of pipeline CPU per record "
                        + "with the chain against %.1f us without (medians), **%+.1f %%** (target < 5 %%: %s); runs "
                        + "without transforms alone spread over %.1f us. The chain itself (JMH) costs %.2f us per "
                        + "record, %.1f %% of the pipeline's CPU per record without it (%.1f %% of the fastest such run, "
                        + "%.1f us); the rest of the difference is what its output costs the sinks.%n%nThe other variants, to see where a pipeline with the chain spends more than the chain "
                        + "itself (medians, us CPU per record): with the chain %.1f; the chain minus CdcRoute (one table "
                        + "per sink instead of two tenant tables) %.1f; SchemaChangeSignal alone (%.0f ns in JMH: the cost "
                        + "of having any transform on the Debezium engine) %.1f; no transforms %.1f. The hash also makes "
                        + "each e-mail 64 characters instead of about 20 for both sinks to write.%n", chained, plain,
                share * 100, share < 0.05 ? "met" : "NOT met", spread(runs), chainMicros, chainMicros / plain * 100,
                chainMicros / fastest(runs) * 100, fastest(runs), chained, unrouted,
                scores.containsKey("signalOnly") ? scores.get("signalOnly")[0] : Double.NaN, oneCheap, plain));
        BenchmarkResult.writeSection(report, "transforms", s.toString());
    }
}
