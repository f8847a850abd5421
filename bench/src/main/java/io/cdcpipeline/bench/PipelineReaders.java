package io.cdcpipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.embedded.RunnerMain;
import io.cdcpipeline.embedded.SourceDefaults;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The processes the pipeline benchmark starts, each reading a source database's {@code people} table on a slot of its
 * own: the runner (both sinks, one of them, or both with the transform chain) or the source ceiling
 * ({@link SourceCeiling}); and how the benchmark sees what each has delivered, the way a user would read it.
 */
final class PipelineReaders {

    /** What reads the changes. */
    enum Kind {
        CEILING("Debezium engine, no-op consumer", false, false),
        BOTH("runner, both sinks", true, true),
        BOTH_CHAIN("runner, both sinks, transform chain on the source", true, true),
        CLICKHOUSE("runner, ClickHouse sink alone", true, false),
        ELASTICSEARCH("runner, Elasticsearch sink alone", false, true);

        final String label;
        final boolean clickHouse;
        final boolean elasticsearch;

        Kind(String label, boolean clickHouse, boolean elasticsearch) {
            this.label = label;
            this.clickHouse = clickHouse;
            this.elasticsearch = elasticsearch;
        }
    }

    /**
     * One reader: its kind, its name (slot, ClickHouse database, index prefix, folder), the source database,
     * Debezium's snapshot mode, the tables it captures (in schema public) and Debezium's snapshot.max.threads.
     */
    record Reader(Kind kind, String name, String sourceDb, String snapshotMode, List<String> tables,
            int snapshotThreads) {

        /** A reader of the {@code people} table, snapshotting on one thread. */
        Reader(Kind kind, String name, String sourceDb, String snapshotMode) {
            this(kind, name, sourceDb, snapshotMode, List.of("people"), 1);
        }
    }

    /** How long a reader may take to start or to finish a run before the benchmark gives up. */
    static final long WAIT_MS = 20 * 60_000L;

    private final BenchStack stack;
    private final String heap;
    private final Path work;
    private final Path profile;
    private final ObjectMapper json = new ObjectMapper();

    PipelineReaders(BenchStack stack, String heap, Path work, Path profile) {
        this.stack = stack;
        this.heap = heap;
        this.work = work;
        this.profile = profile;
    }

    /** Starts the reader's process; {@code phase} names its log (and a JFR recording of it, with --profile). */
    JvmProcess start(Reader r, String phase, boolean record) throws IOException {
        Path dir = Files.createDirectories(work.resolve(r.name()));
        Path log = log(r, phase);
        List<String> jvm = profile == null || !record ? List.of()
                : List.of("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                        + Files.createDirectories(profile).toAbsolutePath().resolve(r.name() + "-" + phase + ".jfr"));
        Properties p = new Properties();
        if (r.kind() == Kind.CEILING) {
            engineConfig(r, dir).forEach((k, value) -> {
                if (k.startsWith("source.")) {
                    p.setProperty(k.substring("source.".length()), value);
                }
            });
            p.setProperty("name", r.name());
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.setProperty("offset.storage.file.filename", dir.resolve("ceiling.offsets").toString());
            p.setProperty("offset.flush.interval.ms", "5000");
            SourceDefaults.apply(p); // the engine as the runner configures it
            Path file = store(p, dir.resolve("ceiling.properties"));
            return JvmProcess.start(heap, jvm, log, SourceCeiling.class.getName(), file.toString(),
                    dir.resolve("seen").toString());
        }
        engineConfig(r, dir).forEach(p::setProperty);
        if (r.kind() == Kind.BOTH_CHAIN) {
            // The transforms benchmark's chain, without CdcRoute (which would rename the table this run watches).
            PeopleChanges.chainConfig("benchmark-hash-key-0123456789abcdef").forEach((k, value) ->
                    p.setProperty("source." + k, value));
            p.setProperty("source.transforms", "pii,filter,signal");
        }
        if (!r.kind().clickHouse || !r.kind().elasticsearch) {
            String dropped = r.kind().clickHouse ? "sink.elasticsearch." : "sink.clickhouse.";
            p.stringPropertyNames().stream().filter(k -> k.startsWith(dropped)).forEach(p::remove);
            p.setProperty("sinks", r.kind().clickHouse ? "clickhouse" : "elasticsearch");
        }
        Path file = store(p, dir.resolve("pipeline.properties"));
        return JvmProcess.start(heap, jvm, log, RunnerMain.class.getName(), "--config", file.toString());
    }

    /** Sets the marker again until the reader, just started with no snapshot, shows it: its slot exists then. */
    void awaitStarted(JvmProcess p, Reader r, String phase, BigDecimal probe) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!markerIs(r, probe)) {
            stack.setMarker(r.sourceDb(), probe);
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(r.kind().label + " did not start; see " + log(r, phase));
            }
            Thread.sleep(1000);
        }
    }

    /** The end of a timed run. */
    @FunctionalInterface
    interface Done {
        boolean holds() throws Exception;
    }

    /** Runs the reader from its process start until {@code done}; what it used is sampled on the way. */
    PipelineBenchmark.Run timed(int round, Reader r, String phase, long events, Done done) throws Exception {
        MachineCpu machine = MachineCpu.now();
        ServerCpu servers = ServerCpu.now();
        try (JvmProcess p = start(r, phase, true)) {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            long lastSample = 0;
            while (!done.holds()) {
                if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(r.kind().label + " did not finish; see " + log(r, phase));
                }
                if (System.currentTimeMillis() - lastSample > 1000) {
                    p.sample(); // the kernel keeps the RSS high-water mark; CPU time is read again at the end
                    lastSample = System.currentTimeMillis();
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - p.startedAt()) / 1e9;
            p.sample();
            PipelineBenchmark.Run run = new PipelineBenchmark.Run(round, r.kind(), events, seconds, p.cpuSeconds(),
                    p.peakHeapMb(), p.peakRssMb(), MachineCpu.now().busySince(machine),
                    ServerCpu.now().secondsSince(servers));
            System.out.printf(Locale.ROOT, "%s round %d: %s, %,d events in %.1f s (%,.0f events/s), CPU "
                    + "%.1f s, peak heap %d MB, peak RSS %.0f MB, machine CPU %.0f %% busy; servers' CPU s %s%n", phase,
                    round, r.kind().label, events, seconds, run.rate(), run.cpuSeconds(), run.peakHeapMb(),
                    run.peakRssMb(), run.machineBusy() * 100, run.serverSeconds());
            return run;
        }
    }

    /**
     * The runner's settings for a reader: the stack's pipeline over the source database, on a slot of its own, with
     * the runner's own defaults for everything else.
     */
    private Map<String, String> engineConfig(Reader r, Path dir) {
        Map<String, String> c = stack.pipeline(r.name(), dir,
                String.join(",", r.tables().stream().map(t -> "public." + t).toList()));
        c.remove("source.max.batch.size");
        c.remove("source.max.queue.size");
        c.put("source.database.dbname", r.sourceDb());
        c.put("source.snapshot.mode", r.snapshotMode());
        c.put("source.snapshot.max.threads", Integer.toString(r.snapshotThreads()));
        c.put("sink.clickhouse.auto.create.database", "true");
        c.put("metrics.jmx.port", "0");
        return c;
    }

    private static Path store(Properties p, Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file)) {
            p.store(out, "pipeline benchmark");
        }
        return file;
    }

    Path log(Reader r, String phase) {
        return work.resolve(r.name()).resolve(phase + ".log");
    }

    /** Whether the marker row holds {@code value} everywhere this reader delivers it. */
    boolean markerIs(Reader r, BigDecimal value) throws Exception {
        if (r.kind() == Kind.CEILING) {
            BigDecimal seen = seenByCeiling(r);
            return seen != null && seen.compareTo(value) == 0;
        }
        if (r.kind().clickHouse && !value.equals(clickHouseTotal(r.name()))) {
            return false;
        }
        return !r.kind().elasticsearch || value.equals(elasticsearchTotal(r.name()));
    }

    /** The marker's value the ceiling's handler saw last, or null. */
    BigDecimal seenByCeiling(Reader r) throws IOException {
        Path seen = work.resolve(r.name()).resolve("seen");
        return Files.exists(seen) ? number(Files.readString(seen).trim()) : null;
    }

    /** The rows this reader has delivered everywhere it delivers them (the fewest of its sinks). */
    long delivered(Reader r) throws Exception {
        if (r.kind() == Kind.CEILING) {
            Path count = work.resolve(r.name()).resolve("seen.count");
            return Files.exists(count) ? Long.parseLong(Files.readString(count).trim()) : 0;
        }
        long fewest = Long.MAX_VALUE;
        if (r.kind().clickHouse) {
            String rows = clickHouse("SELECT sum(c) FROM (" + String.join(" UNION ALL ", r.tables().stream()
                    .map(t -> "SELECT count() AS c FROM " + r.name() + "." + t).toList()) + ")");
            fewest = Math.min(fewest, rows == null ? 0 : Long.parseLong(rows));
        }
        if (r.kind().elasticsearch) {
            String indices = String.join(",", r.tables().stream().map(t -> r.name() + "_" + t).toList());
            HttpResponse<String> response = stack.http.send(HttpRequest.newBuilder(URI.create(stack.esUrl + "/"
                    + indices + "/_count")).GET().build(), HttpResponse.BodyHandlers.ofString());
            fewest = Math.min(fewest, response.statusCode() == 200
                    ? json.readTree(response.body()).path("count").asLong() : 0);
        }
        return fewest;
    }

    /** The marker row's total in ClickHouse's current-state view, or null. */
    BigDecimal clickHouseTotal(String name) throws Exception {
        return number(clickHouse("SELECT toString(total) FROM " + name + ".people_current WHERE id = 0"));
    }

    private String clickHouse(String sql) throws Exception {
        HttpResponse<String> response = stack.http.send(HttpRequest.newBuilder(URI.create(stack.chUrl + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body().trim();
        return response.statusCode() == 200 && !body.isEmpty() ? body : null;
    }

    /** The marker row's total by Elasticsearch's realtime GET, or null. */
    BigDecimal elasticsearchTotal(String name) throws Exception {
        HttpResponse<String> response = stack.http.send(HttpRequest.newBuilder(URI.create(stack.esUrl + "/" + name
                + "_people/_doc/0")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? number(json.readTree(response.body()).path("_source").path("total"))
                : null;
    }

    /** The marker row's total as an Elasticsearch search finds it (after a refresh), or null. */
    BigDecimal elasticsearchSearchTotal(String name) throws Exception {
        HttpResponse<String> response = stack.http.send(HttpRequest.newBuilder(URI.create(stack.esUrl + "/" + name
                + "_people/_search")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"term\":{\"id\":0}}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? number(json.readTree(response.body()).path("hits").path("hits").path(0)
                .path("_source").path("total")) : null;
    }

    private static BigDecimal number(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : number(node.asText());
    }

    /** Markers are whole numbers; ClickHouse and Elasticsearch print them with and without decimals. */
    private static BigDecimal number(String text) {
        return text == null ? null : new BigDecimal(text).stripTrailingZeros().setScale(0, RoundingMode.UNNECESSARY);
    }
}
