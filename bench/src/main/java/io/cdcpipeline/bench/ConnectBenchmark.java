package io.cdcpipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.bench.PipelineReaders.Kind;
import io.cdcpipeline.bench.PipelineReaders.Reader;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The scale-out path as users deploy it: connect-configs/connect (Debezium's Postgres connector and both our sinks,
 * JSON through Kafka) on the stack's Connect worker and broker. Freshness: commit-to-visible latency under a steady
 * load, probed in each sink as a user reads it. Catch-up: all three connectors stopped while {@code --updates}
 * single-row transactions pile up in the slot, then resumed and timed until the last change is visible in both
 * sinks, against Debezium's embedded engine with a no-op consumer on a slot stopped at the same point (the same
 * ceiling as the embedded pipeline's benchmark); rounds alternate which goes first.
 */
@Command(name = "connect-benchmark", mixinStandardHelpOptions = true)
public final class ConnectBenchmark implements Callable<Integer> {

    private static final String SOURCE = "bench_cn";
    private static final List<String> CONNECTORS = List.of("postgres-source", "clickhouse-sink", "elasticsearch-sink");

    @Mixin
    BenchStack stack;

    @Option(names = "--connect-url", required = true, description = "REST URL of the stack's Connect worker")
    String connectUrl;

    @Option(names = "--kafka-bootstrap", required = true, description = "the stack's Kafka bootstrap servers")
    String kafkaBootstrap;

    @Option(names = "--updates", defaultValue = "100000", description = "single-row update transactions in the backlog")
    int updates;

    @Option(names = "--table-rows", defaultValue = "10000", description = "rows of the table the updates spread over")
    int tableRows;

    @Option(names = "--rounds", defaultValue = "2", description = "catch-up rounds, alternating which goes first")
    int rounds;

    @Option(names = "--rates", split = ",", defaultValue = "1000", description = "changes per second of the freshness runs")
    List<Integer> rates;

    @Option(names = "--freshness-seconds", defaultValue = "30", description = "how long each freshness run probes")
    int freshnessSeconds;

    @Option(names = "--heap", defaultValue = "512m", description = "-Xmx of the ceiling's engine")
    String heap;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    private final ObjectMapper json = new ObjectMapper();
    private PipelineReaders readers;
    /** What the sinks deliver, read as for the embedded runner: ClickHouse database and index prefix {@link #SOURCE}. */
    private final Reader sinks = new Reader(Kind.BOTH, SOURCE, SOURCE, "initial");

    public static void main(String[] args) {
        System.exit(new CommandLine(new ConnectBenchmark()).execute(args));
    }

    /** One catch-up run: through Connect, or the ceiling. */
    record CatchUp(int round, String reader, long events, double seconds, double machineBusy,
            Map<String, Double> serverSeconds) {
        double rate() {
            return events / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("bench-connect");
        readers = new PipelineReaders(stack, heap, work, null);
        List<Freshness> latencies = new ArrayList<>();
        List<CatchUp> runs = new ArrayList<>();
        try {
            cleanUp();
            stack.freshDatabases(SOURCE);
            try (Connection db = stack.source(SOURCE); Statement st = db.createStatement()) {
                st.execute(PeopleChanges.DDL);
                st.execute(PeopleChanges.insert(0, tableRows));
                st.execute("CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                        + "data varchar(2048))");
            }
            deploy();
            System.out.println("connect: connectors deployed; waiting for the snapshot to reach both sinks");
            awaitMarker(BigDecimal.valueOf(700_000));
            latencies.addAll(freshness());
            for (int round = 1; round <= rounds; round++) {
                runs.addAll(catchUpRound(round));
            }
        } finally {
            cleanUp();
        }
        if (report != null) {
            writeReport(latencies, runs);
        }
        return 0;
    }

    /** connect-configs/connect, pointed at the benchmark's database, ClickHouse database and indices. */
    private void deploy() throws Exception {
        Path shipped = projectRoot().resolve("connect-configs/connect");
        String include = "public.people,public.debezium_signal";
        for (String connector : CONNECTORS) {
            ObjectNode file = (ObjectNode) json.readTree(shipped.resolve(connector + ".json").toFile());
            ObjectNode config = (ObjectNode) file.path("config");
            switch (connector) {
                case "postgres-source" -> {
                    config.put("database.dbname", SOURCE);
                    config.put("topic.prefix", SOURCE);
                    config.put("slot.name", SOURCE);
                    config.put("publication.name", SOURCE);
                    config.put("table.include.list", include);
                    config.put("transforms.newtables.database.dbname", SOURCE);
                    config.put("transforms.newtables.publication.name", SOURCE);
                    config.put("transforms.newtables.table.include.list", include);
                }
                case "clickhouse-sink" -> {
                    sinkConfig(config, "clickhouse");
                    config.put("clickhouse.database", SOURCE);
                }
                default -> {
                    sinkConfig(config, "elasticsearch");
                    config.put("index.name.format", SOURCE + "_${table}");
                }
            }
            HttpResponse<String> response = connect("PUT", "/connectors/" + name(connector) + "/config",
                    json.writeValueAsString(config));
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("Connect refused " + connector + ": " + response.body());
            }
        }
    }

    private static void sinkConfig(ObjectNode config, String sink) {
        config.put("topics.regex", SOURCE + "\\.public\\.(people|debezium_signal)");
        config.put("consistency.source.url", config.path("consistency.source.url").asText()
                .replaceFirst("/shop$", "/" + SOURCE));
        config.put("errors.deadletterqueue.topic.name", SOURCE + "-" + sink + "-dead-letters");
    }

    /**
     * Connector names are new in every run: Connect keeps a deleted source connector's offsets, and a source
     * connector of an earlier run's name would resume from a position its new slot never had.
     */
    private final String run = SOURCE + "-" + Long.toString(System.currentTimeMillis() / 1000, 36);

    private String name(String connector) {
        return run + "-" + connector;
    }

    /** Sets the marker until both sinks show it. */
    private void awaitMarker(BigDecimal value) throws Exception {
        long deadline = System.currentTimeMillis() + PipelineReaders.WAIT_MS;
        while (!readers.markerIs(sinks, value)) {
            stack.setMarker(SOURCE, value);
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the marker did not reach both sinks through Connect; connectors: "
                        + states());
            }
            Thread.sleep(1000);
        }
    }

    /** Commit-to-visible latencies under steady single-row loads, as in the embedded pipeline's benchmark. */
    private List<Freshness> freshness() throws Exception {
        List<Freshness> results = new ArrayList<>();
        Map<String, FreshnessProbe.Reader> probes = new LinkedHashMap<>();
        probes.put("ClickHouse, `_current` view", () -> readers.clickHouseTotal(SOURCE));
        probes.put("Elasticsearch, realtime GET", () -> readers.elasticsearchTotal(SOURCE));
        probes.put("Elasticsearch, search", () -> readers.elasticsearchSearchTotal(SOURCE));
        long token = 1_000_000;
        for (int rate : rates) {
            for (Freshness f : Freshness.underLoad(stack, SOURCE, rate, 1, tableRows, probes, freshnessSeconds, token)) {
                results.add(f);
                System.out.println("connect " + f.line());
            }
            token += 1_000_000;
        }
        return results;
    }

    private List<CatchUp> catchUpRound(int round) throws Exception {
        Reader ceiling = new Reader(Kind.CEILING, SOURCE + "_ceiling_" + round, SOURCE, "no_data");
        System.out.printf(Locale.ROOT, "round %d: the ceiling starts once, to make its slot%n", round);
        try (JvmProcess p = readers.start(ceiling, "prepare", false)) {
            readers.awaitStarted(p, ceiling, "prepare", BigDecimal.valueOf(800_000 + round));
        }
        awaitMarker(BigDecimal.valueOf(800_000 + round)); // the connectors have it too: both stop at the same point
        for (String connector : CONNECTORS) {
            connect("PUT", "/connectors/" + name(connector) + "/stop", null);
        }
        awaitStates("STOPPED");
        System.out.printf(Locale.ROOT, "round %d: writing %,d single-row update transactions while all are stopped%n",
                round, updates);
        try (Connection db = stack.source(SOURCE); Statement st = db.createStatement()) {
            st.execute("SET synchronous_commit = off");
            st.execute(PeopleChanges.backlog(updates, tableRows));
        }
        BigDecimal marker = BigDecimal.valueOf(900_000 + round);
        stack.setMarker(SOURCE, marker);
        List<CatchUp> runs = new ArrayList<>();
        for (boolean connectFirst : round % 2 == 1 ? List.of(false, true) : List.of(true, false)) {
            if (connectFirst) {
                runs.add(connectCatchUp(round, marker));
            } else {
                PipelineBenchmark.Run run = readers.timed(round, ceiling, "catch-up", updates + 1L,
                        () -> readers.markerIs(ceiling, marker));
                runs.add(new CatchUp(round, Kind.CEILING.label, run.events(), run.seconds(), run.machineBusy(),
                        run.serverSeconds()));
            }
        }
        stack.dropAll(ceiling.name());
        return runs;
    }

    /** Resumes the three connectors and times them until both sinks show the marker. */
    private CatchUp connectCatchUp(int round, BigDecimal marker) throws Exception {
        MachineCpu machine = MachineCpu.now();
        ServerCpu servers = ServerCpu.now();
        long t0 = System.nanoTime();
        for (String connector : CONNECTORS) {
            connect("PUT", "/connectors/" + name(connector) + "/resume", null);
        }
        long deadline = System.currentTimeMillis() + PipelineReaders.WAIT_MS;
        while (!readers.markerIs(sinks, marker)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Connect did not catch up; connectors: " + states());
            }
            Thread.sleep(20);
        }
        CatchUp run = new CatchUp(round, "Connect: Debezium source, Kafka, both sinks", updates + 1L,
                (System.nanoTime() - t0) / 1e9, MachineCpu.now().busySince(machine),
                ServerCpu.now().secondsSince(servers));
        System.out.printf(Locale.ROOT, "catch-up round %d: %s, %,d events in %.1f s (%,.0f events/s), machine CPU "
                + "%.0f %% busy; servers' CPU s %s%n", round, run.reader(), run.events(), run.seconds(), run.rate(),
                run.machineBusy() * 100, run.serverSeconds());
        return run;
    }

    private void awaitStates(String state) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!states().values().stream().allMatch(state::equals)) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("connectors not " + state + ": " + states());
            }
            Thread.sleep(500);
        }
    }

    /** Each connector's state. */
    private Map<String, String> states() throws Exception {
        Map<String, String> states = new LinkedHashMap<>();
        for (String connector : CONNECTORS) {
            HttpResponse<String> response = connect("GET", "/connectors/" + name(connector) + "/status", null);
            JsonNode status = response.statusCode() == 200 ? json.readTree(response.body()) : null;
            states.put(connector, status == null ? "missing" : status.path("connector").path("state").asText());
        }
        return states;
    }

    private HttpResponse<String> connect(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(connectUrl + path))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return stack.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Removes the connectors, their topics and consumer groups, then the slot, databases and indices. */
    private void cleanUp() throws Exception {
        for (JsonNode connector : json.readTree(connect("GET", "/connectors", null).body())) {
            if (connector.asText().startsWith(SOURCE + "-")) {
                connect("DELETE", "/connectors/" + connector.asText(), null);
            }
        }
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap);
        try (Admin kafka = Admin.create(admin)) {
            Set<String> topics = kafka.listTopics().names().get().stream().filter(t -> t.startsWith(SOURCE))
                    .collect(Collectors.toSet());
            kafka.deleteTopics(topics).all().get();
            List<String> groups = kafka.listGroups().all().get().stream().map(g -> g.groupId())
                    .filter(g -> g.startsWith("connect-" + SOURCE + "-")).toList();
            try {
                kafka.deleteConsumerGroups(groups).all().get();
            } catch (ExecutionException e) {
                // members still leaving: their committed offsets are of topics deleted above
            }
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                stack.dropAll(SOURCE); // the slot is still active until the source task has stopped
                break;
            } catch (SQLException e) {
                Thread.sleep(1000);
            }
        }
        for (int round = 0; round <= rounds; round++) {
            stack.dropAll(SOURCE + "_ceiling_" + round);
        }
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("connect-configs"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run from inside the project: connect-configs not found");
        }
        return dir;
    }

    private void writeReport(List<Freshness> freshness, List<CatchUp> runs) throws IOException {
        StringBuilder s = new StringBuilder("## Connect mode: freshness and catch-up through Kafka\n\n");
        s.append(String.format(Locale.ROOT, "Run on %s. `bin/cdc bench connect`: connect-configs/connect as shipped "
                + "(Debezium's Postgres connector, both sinks with two tasks each, JSON with schemas) on the stack's "
                + "Connect worker and Kafka broker (one of each, default heaps), over a `people` table of %,d rows.%n%n",
                BenchmarkResult.machine(), tableRows));
        s.append(String.format(Locale.ROOT, "### Freshness at steady loads%n%nEvery 250 ms the marker row is set to a "
                + "new value and each sink is polled as a user reads it until it shows the value (%d s per load, "
                + "after 3 s of load alone).%n%n", freshnessSeconds));
        Freshness.table(s, freshness);
        double worst = Freshness.worstP99(freshness);
        s.append(String.format(Locale.ROOT, "%n- highest p99 of ClickHouse and Elasticsearch GET: %.3f s (target <= "
                + "1.5 s in Connect mode: %s)%n", worst, worst <= 1.5 ? "met" : "NOT met"));
        s.append(String.format(Locale.ROOT, "%n### Catch-up%n%nEach round stops the three connectors (`PUT "
                + "/connectors/NAME/stop`) and the ceiling (Debezium's embedded engine with a no-op consumer, "
                + "`-Xmx%s`, on a slot of its own stopped at the same point), writes %,d single-row update "
                + "transactions, then times each from its start (`/resume`; the ceiling's process start) until the "
                + "last change is visible (ClickHouse `_current` view and Elasticsearch realtime GET; the ceiling: "
                + "seen by its consumer). Rounds alternate which goes first.%n%n| round | reader | events/s | ratio "
                + "to ceiling | machine CPU busy | CPU us per event: Postgres, Kafka, Connect worker, ClickHouse, "
                + "Elasticsearch |%n|---|---|---|---|---|---|%n", heap, updates));
        List<Double> ratios = new ArrayList<>();
        for (CatchUp run : runs) {
            CatchUp ceiling = runs.stream().filter(r -> r.round() == run.round() && r.reader().equals(Kind.CEILING.label))
                    .findFirst().orElseThrow();
            if (run != ceiling) {
                ratios.add(run.rate() / ceiling.rate());
            }
            s.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.2f | %.0f %% | %s |%n", run.round(),
                    run.reader(), run.rate(), run.rate() / ceiling.rate(), run.machineBusy() * 100,
                    List.of(ServerCpu.POSTGRES, ServerCpu.KAFKA, ServerCpu.CONNECT, ServerCpu.CLICKHOUSE,
                            ServerCpu.ELASTICSEARCH).stream().map(server -> String.format(Locale.ROOT, "%.0f",
                                    run.serverSeconds().getOrDefault(server, 0.0) * 1e6 / run.events()))
                            .collect(Collectors.joining(", "))));
        }
        s.append(String.format(Locale.ROOT, "%n- Connect catch-up: %.2f of the ceiling (median of %d rounds)%n",
                BenchmarkResult.median(ratios), ratios.size()));
        BenchmarkResult.writeSection(report, "connect", s.toString());
    }
}
