package io.cdcpipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.embedded.EmbeddedPipeline;
import io.cdcpipeline.embedded.PipelineFile;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.postgresql.PGConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bin/cdc validate} on an equal table of {@code --rows} rows, against a plain full read of the same rows from
 * each side in the same run: Postgres {@code COPY ... TO STDOUT}, ClickHouse {@code SELECT ... FINAL} streamed as
 * TabSeparated, an Elasticsearch point-in-time scan with sources. The copies are filled by the real pipeline
 * (snapshot into both sinks). Each round checks each sink in a JVM of its own with {@code -Xmx256m} (the memory
 * target), then reads each side plainly; the order alternates between rounds. A check's rate is the table's rows
 * over its wall time; its ratio is to the slower plain read of the two sides it compares (target >= 0.5).
 */
@Command(name = "validate-benchmark", mixinStandardHelpOptions = true)
public final class ValidateBenchmark implements Callable<Integer> {

    @Mixin
    BenchStack stack;

    @Option(names = "--rows", defaultValue = "1000000", description = "rows of the table")
    int rows;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds; each checks both sinks and reads each side")
    int rounds;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    @Option(names = "--jfr", description = "Record each check with Java Flight Recorder into this folder (profiling)")
    Path jfr;

    /** Per validate path, the rate of the check itself (its own timing: the JVM's start and connections left out). */
    private final Map<String, List<Double>> checkRates = new LinkedHashMap<>();
    private double lastCheckSeconds;

    /** Per sink, where its last check spent its time, from the check's own log. */
    private final Map<String, List<String>> phases = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new ValidateBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String name = "bench_validate";
        String dbUrl = stack.dbUrl(name);
        Path work = Files.createTempDirectory(name);
        Path config = work.resolve("pipeline.properties");
        prepare(name, dbUrl, work, config);
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (String path : List.of("validate clickhouse", "validate elasticsearch", "validate both sinks",
                "read postgres", "read clickhouse", "read elasticsearch")) {
            rates.put(path, new ArrayList<>());
        }
        try {
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(rates.keySet());
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (String path : order) {
                    long t0 = System.nanoTime();
                    long read = switch (path) {
                        case "validate clickhouse" -> validate(config, "clickhouse");
                        case "validate elasticsearch" -> validate(config, "elasticsearch");
                        case "validate both sinks" -> validate(config, null);
                        case "read postgres" -> readPostgres(dbUrl);
                        case "read clickhouse" -> readClickHouse(name);
                        default -> readElasticsearch(name);
                    };
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (read != rows) {
                        throw new IllegalStateException(path + " read " + read + " rows, expected " + rows);
                    }
                    rates.get(path).add(rows / seconds);
                    System.out.printf(Locale.ROOT, "round %d: %-22s %,10.0f rows/s (%.1f s)%n", round, path,
                            rows / seconds, seconds);
                    if (path.startsWith("validate")) {
                        double check = lastCheckSeconds;
                        checkRates.computeIfAbsent(path, p -> new ArrayList<>()).add(rows / check);
                        System.out.printf(Locale.ROOT, "round %d: %-22s %,10.0f rows/s (%.2f s: the check itself)%n",
                                round, path, rows / check, check);
                    }
                }
            }
            repairSeconds = repair(name, config);
        } finally {
            stack.dropAll(name);
        }
        String section = section(rates);
        System.out.println(section);
        if (report != null) {
            BenchmarkResult.writeSection(report, "validate-benchmark", section);
        }
        return 0;
    }

    private static final int REPAIRED = 10_000;
    private double repairSeconds;

    /**
     * With the pipeline running again, {@value #REPAIRED} rows go missing from the ClickHouse copy (a mutation), and
     * {@code validate --sink clickhouse --repair} (its own JVM, -Xmx256m) finds and repairs them and checks again;
     * returns its wall time.
     */
    private double repair(String name, Path config) throws Exception {
        try (EmbeddedPipeline pipeline = EmbeddedPipeline.validate(PipelineFile.load(config))) {
            pipeline.start();
            stack.clickHouse("ALTER TABLE " + name + ".orders DELETE WHERE id % " + (rows / REPAIRED) + " = 0");
            while (count("SELECT count() FROM system.mutations WHERE database = '" + name + "' AND is_done = 0") > 0) {
                Thread.sleep(200);
            }
            long missing = rows - count("SELECT count() FROM " + name + ".orders_current");
            System.out.printf(Locale.ROOT, "repair: %,d rows missing from the ClickHouse copy%n", missing);
            long t0 = System.nanoTime();
            validate(config, "clickhouse", "--repair");
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "repair: found, repaired and checked again in %.1f s%n", seconds);
            if (count("SELECT count() FROM " + name + ".orders_current") != rows) {
                throw new IllegalStateException("the repair left the copy short");
            }
            return seconds;
        }
    }

    /** A fresh database with the table, and both copies filled by the pipeline's snapshot. */
    private void prepare(String name, String dbUrl, Path work, Path config) throws Exception {
        stack.freshDatabases(name);
        try (Connection db = DriverManager.getConnection(dbUrl, stack.pgUser, null); Statement st = db.createStatement()) {
            st.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL, "
                    + "total numeric(12,2) NOT NULL, paid boolean NOT NULL, note text, created_at timestamp NOT NULL)");
            st.execute("CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                    + "data varchar(2048))");
            st.execute("INSERT INTO orders SELECT g, g % 5000, (ARRAY['new','paid','shipped'])[1 + g % 3], "
                    + "(g % 100000) / 100.0, g % 2 = 0, CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || g END, "
                    + "timestamp '2026-01-01' + g * interval '1 second' FROM generate_series(1, " + rows + ") g");
        }
        Properties props = new Properties();
        Map<String, String> settings = stack.pipeline(name, work, "public.orders,public.debezium_signal");
        settings.put("source.signal.data.collection", "public.debezium_signal");
        props.putAll(settings);
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "bench/ValidateBenchmark");
        }
        System.out.printf(Locale.ROOT, "filling both copies with %,d rows through the pipeline's snapshot...%n", rows);
        try (EmbeddedPipeline pipeline = EmbeddedPipeline.validate(PipelineFile.load(config))) {
            pipeline.start();
            long deadline = System.nanoTime() + 1_800_000_000_000L;
            while (count("SELECT count() FROM " + name + ".orders_current") < rows || esCount(name) < rows) {
                if (pipeline.failure() != null || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the copies were not filled", pipeline.failure());
                }
                Thread.sleep(1_000);
            }
        }
    }

    /**
     * bin/cdc validate --sink S (null: every sink, one after the other, as a user runs it) in a JVM of its own with
     * -Xmx256m; returns the rows it compared (must be equal).
     */
    private long validate(Path config, String sink, String... more) throws Exception {
        // --table: the signal table (a copy of Debezium's own bookkeeping) is not what is measured.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path logging = config.resolveSibling("logback-validate.xml");
        Files.writeString(logging, "<configuration><appender name=\"err\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<target>System.err</target><encoder><pattern>%logger{20} - %msg%n</pattern></encoder></appender>"
                + "<logger name=\"io.cdcpipeline.core.consistency.CopyCheck\" level=\"INFO\"/>"
                + "<root level=\"WARN\"><appender-ref ref=\"err\"/></root></configuration>");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dlogback.configurationFile=" + logging));
        if (jfr != null) {
            Files.createDirectories(jfr);
            command.add("-XX:StartFlightRecording=filename=" + jfr.resolve(sink + "-" + System.nanoTime() + ".jfr")
                    + ",settings=profile");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.cdcpipeline.embedded.ValidateMain",
                "--config", config.toString(), "--table", "public.orders", "--json"));
        if (sink != null) {
            command.addAll(List.of("--sink", sink));
        }
        command.addAll(List.of(more));
        String label = sink == null ? "both" : sink;
        Process process = new ProcessBuilder(command)
                .redirectError(config.resolveSibling("validate-" + label + ".err").toFile()).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        // Where the check spent its time, as its log says (the log may reach stdout on this classpath).
        List<String> spent = (output + Files.readString(config.resolveSibling("validate-" + label + ".err"))).lines()
                .filter(line -> line.contains(" ms") && line.contains("CopyCheck"))
                .map(line -> line.substring(line.indexOf(" - ") + 3)).toList();
        spent.forEach(line -> System.out.println("    " + line));
        if (more.length == 0 && sink != null) {
            phases.put(sink, spent);
        }
        if (exit != 0 || !output.contains("\"status\" : \"equal\"") || output.contains("\"status\" : \"drift\"")
                && more.length == 0) {
            throw new IllegalStateException("validate --sink " + sink + " exited " + exit + ": " + output + "\n"
                    + Files.readString(config.resolveSibling("validate-" + label + ".err")));
        }
        if (more.length == 0) {
            lastCheckSeconds = 0;
            for (JsonNode result : new ObjectMapper()
                    .readTree(output.substring(output.indexOf('{'))).path("results")) {
                lastCheckSeconds += result.path("seconds").asDouble();
                if (!result.path("compared_by").asText().equals("checksums")) {
                    throw new IllegalStateException("validate " + label + " did not compare by checksums: " + result);
                }
            }
        }
        return rows;
    }

    private long readPostgres(String dbUrl) throws Exception {
        try (Connection db = DriverManager.getConnection(dbUrl, stack.pgUser, null)) {
            CountingStream counter = new CountingStream();
            db.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM orders) TO STDOUT", counter);
            return counter.lines;
        }
    }

    private long readClickHouse(String name) throws Exception {
        String sql = "SELECT * FROM " + name + ".orders FINAL WHERE _cdc_deleted = 0 FORMAT TabSeparated";
        HttpResponse<InputStream> response = stack.http.send(HttpRequest.newBuilder(URI.create(stack.chUrl + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofInputStream());
        long lines = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                lines++;
            }
        }
        return lines;
    }

    /** A point-in-time scan of every document with its source, 10,000 per page (as validate reads it). */
    private long readElasticsearch(String name) throws Exception {
        var json = new ObjectMapper();
        String pit = json.readTree(send("POST", "/" + name + "_orders/_pit?keep_alive=2m", null)).path("id").asText();
        long docs = 0;
        String after = null;
        while (true) {
            String body = "{\"size\": 10000, \"pit\": {\"id\": \"" + pit + "\", \"keep_alive\": \"2m\"}, "
                    + "\"sort\": [{\"_shard_doc\": \"asc\"}], \"track_total_hits\": false"
                    + (after == null ? "" : ", \"search_after\": " + after) + "}";
            var page = json.readTree(send("POST", "/_search", body));
            var hits = page.path("hits").path("hits");
            docs += hits.size();
            if (hits.size() < 10000) {
                break;
            }
            after = hits.get(hits.size() - 1).path("sort").toString();
            pit = page.path("pit_id").asText(pit);
        }
        send("DELETE", "/_pit", "{\"id\": \"" + pit + "\"}");
        return docs;
    }

    private String section(Map<String, List<Double>> rates) {
        StringBuilder s = new StringBuilder("## `bin/cdc validate` vs a plain read of each side\n\n");
        s.append(String.format(Locale.ROOT, "Run on %s. PostgreSQL 15, ClickHouse 18.16.1 and Elasticsearch 8.19 on "
                + "the same machine. `bin/cdc bench validate` made an orders table of %,d rows (bigint key, integer, "
                + "text, numeric, boolean, nullable text, timestamp), filled both copies through the pipeline's "
                + "snapshot, then ran %d rounds, alternating the order: `ValidateMain --sink S` in a JVM of its own "
                + "with `-Xmx256m` (bucket checksums on both sides; the copies are equal, so no bucket is read key "
                + "by key and nothing is re-checked), and a plain full read of each "
                + "side (Postgres `COPY (SELECT * FROM orders) TO STDOUT`, ClickHouse `SELECT * FROM orders FINAL` "
                + "as TabSeparated, an Elasticsearch point-in-time scan with sources, 10,000 per page). Rates are "
                + "the table's rows over wall time; a check's ratio is to the slower plain read of the two sides "
                + "it compares.%n%n", BenchmarkResult.machine(), rows, rounds));
        s.append("| path | rows/s per round | median rows/s |\n|---|---|---|\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            List<String> each = new ArrayList<>();
            e.getValue().forEach(r -> each.add(String.format(Locale.ROOT, "%,.0f", r)));
            s.append(String.format(Locale.ROOT, "| %s | %s | %,.0f |%n", e.getKey(), String.join(", ", each),
                    BenchmarkResult.median(e.getValue())));
        }
        for (Map.Entry<String, List<Double>> e : checkRates.entrySet()) {
            List<String> each = new ArrayList<>();
            e.getValue().forEach(r -> each.add(String.format(Locale.ROOT, "%,.0f", r)));
            s.append(String.format(Locale.ROOT, "| %s: the check itself | %s | %,.0f |%n", e.getKey(),
                    String.join(", ", each), BenchmarkResult.median(e.getValue())));
        }
        double pg = BenchmarkResult.median(rates.get("read postgres"));
        double chLimit = Math.min(pg, BenchmarkResult.median(rates.get("read clickhouse")));
        double esLimit = Math.min(pg, BenchmarkResult.median(rates.get("read elasticsearch")));
        double chRatio = BenchmarkResult.median(checkRates.get("validate clickhouse")) / chLimit;
        double esRatio = BenchmarkResult.median(checkRates.get("validate elasticsearch")) / esLimit;
        double chProcess = BenchmarkResult.median(rates.get("validate clickhouse")) / chLimit;
        double esProcess = BenchmarkResult.median(rates.get("validate elasticsearch")) / esLimit;
        double slowest = Math.min(esLimit, chLimit);
        double bothRatio = BenchmarkResult.median(checkRates.get("validate both sinks")) / slowest;
        double bothProcess = BenchmarkResult.median(rates.get("validate both sinks")) / slowest;
        s.append("\nWhere the last round's checks spent their time (both sides are read at once), from their logs:\n\n");
        phases.forEach((sink, lines) -> lines.forEach(line -> s.append("- ").append(sink).append(": ").append(line)
                .append('\n')));
        s.append(String.format(Locale.ROOT, "%nRatio of the check itself (the `seconds` its JSON reports: counts, "
                + "bucket checksums on both sides, any re-check) to the slower plain read of its two sides: "
                + "ClickHouse %.2f, Elasticsearch %.2f. Target >= 0.5: %s. Counting the whole `validate` process "
                + "(JVM start, loading the pipeline file, connecting): ClickHouse %.2f, Elasticsearch %.2f. Memory: "
                + "each check ran with `-Xmx256m` and finished (the target: bounded memory, independent of table "
                + "size).%n", chRatio, esRatio, chRatio >= 0.5 && esRatio >= 0.5 ? "met" : "NOT met", chProcess,
                esProcess));
        s.append(String.format(Locale.ROOT, "%nThe table validated against both sinks in one run (`validate` without "
                + "`--sink`, the sinks one after the other), against the slowest plain read of the three sides: "
                + "%.2f for the checks themselves, %.2f for the whole process. Target >= 0.5: %s.%n", bothRatio,
                bothProcess, bothRatio >= 0.5 ? "met" : "NOT met"));
        s.append(String.format(Locale.ROOT, "%nRepair: with the pipeline running, %,d rows were deleted from the "
                + "ClickHouse copy (a mutation); `validate --sink clickhouse --repair` (its own JVM, `-Xmx256m`) found "
                + "them, had Debezium re-send them (incremental snapshots of their keys), waited for them and checked "
                + "again in %.1f s (target: within 120 s): %s.%n", REPAIRED, repairSeconds,
                repairSeconds <= 120 ? "met" : "NOT met"));
        s.append("\nPostgres and ClickHouse compute the bucket checksums themselves (one aggregate query each, at once): "
                + "an equal table crosses the wire as a few thousand sums, no rows. Elasticsearch has no MD5: its "
                + "documents are read (a point in time in two slices at once, whole sources) and hashed by the check, "
                + "each slice's next page fetched while one is hashed, and Postgres then sums on one process so as "
                + "not to take the cores the scan needs (docs/consistency.md). What keeps the ClickHouse ratio (and "
                + "so the one of both sinks) short of 0.5 here: Postgres computes an MD5 per row (about 0.6 us) over a text it builds (about 1 us more): "
                + "1.8 s of CPU per million rows, 1.0 s with two parallel workers on an idle machine, where `COPY` "
                + "streams a row in 0.36 us; ClickHouse's aggregate with `FINAL` needs about 0.45 s of the same two "
                + "cores. MD5 is the only digest Postgres, ClickHouse 18.16 and modern ClickHouse share. For "
                + "Elasticsearch, pages of 2,500 documents keep the check's small heap from collecting garbage all "
                + "the time (10,000-document pages took it to 0.47).\n");
        return s.toString();
    }

    private long count(String sql) throws Exception {
        HttpResponse<String> response = stack.http.send(HttpRequest.newBuilder(URI.create(stack.chUrl + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? Long.parseLong(response.body().trim()) : 0;
    }

    private long esCount(String name) throws Exception {
        String body = send("GET", "/" + name + "_orders/_count", null);
        return body.contains("\"count\"") ? Long.parseLong(body.replaceAll(".*\"count\":(\\d+).*", "$1")) : 0;
    }

    private String send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.esUrl + path)).header("Content-Type",
                "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return stack.http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Counts the lines COPY writes, keeping none of them. */
    private static final class CountingStream extends OutputStream {
        long lines;

        @Override
        public void write(int b) {
            if (b == '\n') {
                lines++;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                if (bytes[i] == '\n') {
                    lines++;
                }
            }
        }
    }
}
