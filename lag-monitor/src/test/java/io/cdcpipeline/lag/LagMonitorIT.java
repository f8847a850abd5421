package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cdcpipeline.embedded.EmbeddedPipeline;
import io.cdcpipeline.embedded.PipelineFile;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.http.MonitorServer;
import io.cdcpipeline.lag.slo.Level;
import io.cdcpipeline.lag.slo.SloTracker;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumSourceConfig;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.StackOutage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lag monitor against a real pipeline: one embedded runner per sink (each with its own replication slot, so a
 * ClickHouse outage does not hold Elasticsearch back), heartbeats through Postgres, a busy and a quiet table, and a
 * webhook receiver in Alertmanager's format. Stopping ClickHouse breaches its freshness SLO within the detection
 * time, fires a critical alert naming sink, freshness and threshold, turns /health unhealthy, counts the sink as
 * stalled after {@code stall.after} without progress, and resolves after ClickHouse is back; Elasticsearch stays OK
 * throughout.
 */
@RealStack
class LagMonitorIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void clickHouseOutageBreachesFiresAndResolvesWhileSearchStaysFresh(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        createBusyAndQuietTables(pg);
        List<JsonNode> notifications = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(notifications);
        Path config = work.resolve("lag.yaml");
        Files.writeString(config, """
                postgres:
                  url: %s
                  user: %s
                  slot: %s_ch
                heartbeat:
                  table: public.cdc_heartbeat
                  interval: 1s
                check:
                  interval: 1s
                sinks:
                  analytics:
                    type: clickhouse
                    url: %s
                    database: %s
                  search:
                    type: elasticsearch
                    url: %s
                    index: %s_cdc_heartbeat
                slos:
                  - sink: analytics
                    threshold: 15s
                    warning: 12s
                    critical: 15s
                    objective: 99%%
                    stall.after: 20s
                    for: 2s
                  - sink: search
                    threshold: 15s
                    warning: 12s
                    critical: 15s
                    objective: 99%%
                    for: 2s
                alerts:
                  webhook: http://127.0.0.1:%d/alerts
                  group.by: [sink]
                  group.wait: 1s
                  repeat.interval: 1h
                http:
                  port: 0
                """.formatted(pg.jdbcUrl(), pg.user(), pg.name(), ch.url(), ch.name(), es.url(), es.name(),
                receiver.getAddress().getPort()));
        MonitorConfig parsed = MonitorConfig.load(config);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread busy = null;
        try (LagMonitor monitor = new LagMonitor(parsed, Clock.systemUTC())) {
            monitor.prepare(); // creates the heartbeat table before the runners create their publications
            try (EmbeddedPipeline toClickHouse = pipeline(stack, pg, ch, es, work, "ch");
                 EmbeddedPipeline toSearch = pipeline(stack, pg, ch, es, work, "es");
                 MonitorServer server = new MonitorServer(monitor, 0)) {
                toClickHouse.start();
                toSearch.start();
                monitor.start();
                busy = busyWriter(pg, writing);

                awaitLevels(monitor, l -> l == Level.OK, 90, "both sinks fresh at the start");
                // For BI and search users: "complete up to" inside each sink, per table.
                Await.until(() -> clickHouse(ch.url(), "SELECT count() FROM " + ch.name() + ".cdc_freshness FINAL WHERE "
                        + "table IN ('orders', 'quiet', '*') AND sink = 'analytics'").equals("3"), 30,
                        "ClickHouse freshness rows for orders, quiet and *");
                long completeUpTo = Long.parseLong(clickHouse(ch.url(), "SELECT max(complete_up_to_ms) FROM " + ch.name()
                        + ".cdc_freshness FINAL WHERE table = 'quiet'"));
                assertThat(System.currentTimeMillis() - completeUpTo).as("the quiet table is complete up to a recent "
                        + "heartbeat, not its last change").isLessThan(30_000);
                Await.until(() -> System.currentTimeMillis() - json.readTree(http.send(HttpRequest.newBuilder(URI.create(
                        es.url() + "/cdc_freshness/_doc/search")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .path("_source").path("complete_up_to_ms").asLong() < 30_000, 30,
                        "Elasticsearch's cdc_freshness document for sink search, complete up to the last 30 s");
                assertThat(MonitorHttp.status(server, "/health")).isEqualTo(200);
                Thread.sleep(5_000);
                assertThat(notifications).as("no alert while both sinks keep up (the quiet table included)").isEmpty();
                String slots;
                try (Connection c = pg.connect(); Statement st = c.createStatement();
                     var rs = st.executeQuery("SELECT string_agg(slot_name || ':' || active, ',') FROM pg_replication_slots")) {
                    rs.next();
                    slots = rs.getString(1);
                }
                // WAL from a table nobody captures: heartbeats keep the slot confirming, so it retains little.
                String churnStart;
                try (Connection c = pg.connect(); Statement st = c.createStatement();
                     var rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                    rs.next();
                    churnStart = rs.getString(1);
                }
                try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE churn (id integer, pad text)");
                    st.execute("INSERT INTO churn SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, 20000) g");
                    st.execute("UPDATE churn SET pad = reverse(pad)");
                }
                long walWritten = walBytesSince(pg, churnStart);
                Await.until(() -> monitor.slotState() != null && monitor.slotState().retainedBytes() < 16L << 20, 45,
                        "the slot retains under 16 MB of WAL while only an uncaptured table changes (retains "
                        + (monitor.slotState() == null ? "?" : monitor.slotState().retainedBytes()) + " bytes)");
                assertThat(walWritten).as("the churn wrote far more WAL than that").isGreaterThan(24L << 20);
                assertThat(notifications).as("still no alert: the quiet table is fresh by its heartbeat").isEmpty();
                assertThat(monitor.slotState()).as("the ClickHouse runner's slot %s_ch among %s", pg.name(), slots)
                        .satisfies(slot -> {
                    assertThat(slot.exists()).isTrue();
                    assertThat(slot.active()).isTrue();
                    assertThat(slot.walStatus()).isEqualTo("reserved");
                });

                StackOutage.stop("clickhouse");
                try {
                    long stopped = System.nanoTime();
                    JsonNode firing = awaitNotification(notifications, n -> n.path("status").asText().equals("firing")
                            && n.path("groupLabels").path("sink").asText().equals("analytics"), 45);
                    long detectedSeconds = (System.nanoTime() - stopped) / 1_000_000_000L;
                    JsonNode alert = firing.path("alerts").get(0);
                    assertThat(alert.path("labels").path("sink").asText()).isEqualTo("analytics");
                    assertThat(alert.path("labels").path("table").asText()).isEqualTo("*");
                    assertThat(alert.path("annotations").path("threshold_seconds").asText()).isIn("12", "15");
                    assertThat(alert.path("annotations").path("freshness_seconds").asLong()).isGreaterThanOrEqualTo(12);
                    assertThat(alert.path("annotations").path("summary").asText()).contains("analytics")
                            .contains("behind");
                    assertThat(detectedSeconds).as("detected within the warning level plus 'for' and checks")
                            .isLessThan(30);
                    awaitLevel(monitor, "analytics", Level.CRITICAL, 30);
                    assertThat(level(monitor, "search")).as("search keeps up meanwhile").isEqualTo(Level.OK);
                    assertThat(MonitorHttp.status(server, "/health")).isEqualTo(503);
                    assertThat(MonitorHttp.body(server, "/health")).contains("analytics");
                    assertThat(MonitorHttp.body(server, "/metrics")).contains("cdc_sink_freshness_seconds{")
                            .contains("cdc_replication_slot_retained_wal_bytes").contains("cdc_slo_level{");
                    assertThat(notifications).noneMatch(n -> n.path("groupLabels").path("sink").asText()
                            .equals("search"));
                    // No progress for stall.after (20 s) while newer heartbeats wait: stalled, not merely slow.
                    Await.until(() -> stalled(monitor, "analytics"), 40, "analytics counted as stalled");
                    assertThat(stalled(monitor, "search")).as("search makes progress").isFalse();
                    assertThat(MonitorHttp.body(server, "/metrics")).containsPattern(
                            "cdc_sink_stalled\\{[^}]*sink=\"analytics\"[^}]*} 1\\.0");
                } finally {
                    StackOutage.restore();
                }
                JsonNode resolved = awaitNotification(notifications, n -> n.path("status").asText().equals("resolved")
                        && n.path("groupLabels").path("sink").asText().equals("analytics"), 120);
                assertThat(resolved.path("alerts").get(0).path("status").asText()).isEqualTo("resolved");
                awaitLevels(monitor, l -> l == Level.OK, 60, "both sinks fresh again");
                assertThat(MonitorHttp.status(server, "/health")).isEqualTo(200);
                statusPageRendersInChromium(server);
                assertThat(toClickHouse.failure()).isNull();
                assertThat(toSearch.failure()).isNull();
                ReliabilityCase.fault("ClickHouse down while the lag monitor watches both sinks (one runner per sink)")
                        .expected("analytics breaches its SLO, counts as stalled after stall.after, pages, fails "
                                + "/health; search stays OK; all resolves once ClickHouse is back")
                        .observed("analytics CRITICAL and stalled (cdc_sink_stalled 1.0), /health 503 naming it, "
                                + "search OK throughout; resolved notification, /health 200 after")
                        .record();
                ReliabilityCase.defect("LagMonitorIT set stall.after but never asserted a stall")
                        .expected("a stall is asserted on a real stalled sink")
                        .observed("analytics counted as stalled within 40 s of the outage, search not").record();
            }
        } finally {
            cleanUp(writing, busy, receiver, es);
        }
    }

    /**
     * Per-table freshness from the sink's own metrics, read over JMX from the runner: while the orders index refuses
     * writes (a write block, as during a shrink: the sink retries it and the changes wait), the monitor names
     * orders as the table holding search back (its changes waiting, since when) and fires a per-table alert for it,
     * while the quiet table has nothing waiting; after the block is lifted every order arrives and the alert
     * resolves.
     */
    @Test
    void aTableHoldingItsSinkBackIsNamedWithItsWaitingChanges(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        createBusyAndQuietTables(pg);
        List<JsonNode> notifications = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(notifications);
        int jmxPort;
        try (ServerSocket free = new ServerSocket(0)) {
            jmxPort = free.getLocalPort();
        }
        String orders = es.name() + "_orders";
        String quiet = es.name() + "_quiet";
        Path config = work.resolve("lag.yaml");
        Files.writeString(config, """
                postgres:
                  url: %s
                  user: %s
                heartbeat:
                  interval: 1s
                check:
                  interval: 1s
                sinks:
                  search:
                    type: elasticsearch
                    url: %s
                    index: %s_cdc_heartbeat
                    metrics:
                      jmx: 127.0.0.1:%d
                      connector: tables-es-elasticsearch
                slos:
                  - {sink: search, threshold: 20s, critical: 20s, warning: 15s, for: 2s}
                  - {name: search-tables, sink: search, table: "%s_*", threshold: 10s, critical: 10s, warning: 8s,
                     for: 2s}
                alerts:
                  webhook: http://127.0.0.1:%d/alerts
                  group.wait: 1s
                http:
                  port: 0
                """.formatted(pg.jdbcUrl(), pg.user(), es.url(), es.name(), jmxPort, es.name(),
                receiver.getAddress().getPort()));
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread busy = null;
        try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC())) {
            monitor.prepare();
            Map<String, String> runner = new LinkedHashMap<>(pipelineConfig(stack, pg, ch, es, work, "es"));
            runner.put("name", "tables-es"); // its sink's metrics: connector tables-es-elasticsearch
            runner.put("metrics.jmx.port", Integer.toString(jmxPort));
            try (EmbeddedPipeline toSearch = EmbeddedPipeline.validate(PipelineFile.parse(runner));
                 MonitorServer server = new MonitorServer(monitor, 0)) {
                toSearch.start();
                monitor.start();
                busy = busyWriter(pg, writing);
                Await.until(() -> table(monitor, orders) != null && table(monitor, quiet) != null
                        && tableLevel(monitor, orders) == Level.OK && tableLevel(monitor, quiet) == Level.OK, 90,
                        "both tables read over JMX and fresh: " + monitor.tables());
                Thread.sleep(10_000);
                Observation.TableState quietNow = table(monitor, quiet);
                assertThat(quietNow.watermark()).as("the quiet table's only change (its snapshot row) is old")
                        .isBefore(Instant.now().minusSeconds(10));
                assertThat(quietNow.freshness()).as("yet it is fresh: complete up to the sink's heartbeat")
                        .isLessThan(Duration.ofSeconds(8));
                assertThat(tableLevel(monitor, quiet)).isEqualTo(Level.OK);
                assertThat(notifications).as("no alert while the tables keep up").isEmpty();

                long blockedAt = System.currentTimeMillis();
                esSettings(es.url(), orders, "{\"index.blocks.write\": true}");
                try {
                    JsonNode firing = awaitNotification(notifications, n -> n.path("status").asText().equals("firing")
                            && alertOf(n, "CdcTableFreshness", orders) != null, 60);
                    JsonNode alert = alertOf(firing, "CdcTableFreshness", orders);
                    assertThat(alert.path("labels").path("sink").asText()).isEqualTo("search");
                    assertThat(alert.path("labels").path("slo").asText()).isEqualTo("search-tables");
                    assertThat(alert.path("annotations").path("summary").asText()).contains("Table " + orders)
                            .contains("behind").contains("changes waiting since");
                    assertThat(alert.path("annotations").path("freshness_seconds").asLong()).isGreaterThanOrEqualTo(8);
                    Observation.TableState held = table(monitor, orders);
                    assertThat(held.pending()).as("orders waiting in the sink").isPositive();
                    assertThat(held.oldestPending().toEpochMilli()).as("the oldest waiting order came after the block")
                            .isGreaterThanOrEqualTo(blockedAt - 2_000);
                    assertThat(table(monitor, quiet).pending()).as("nothing of the quiet table waits").isZero();
                    assertThat(held.completeUpTo()).as("orders is complete only up to before its oldest waiting change")
                            .isBefore(held.oldestPending());
                    // The sink-level alert, once its heartbeat is stuck too, names orders, not quiet, as the table
                    // the sink waits on.
                    JsonNode sinkAlert = alertOf(awaitNotification(notifications, n -> n.path("status").asText()
                            .equals("firing") && alertOf(n, "CdcSinkFreshness", "*") != null, 60), "CdcSinkFreshness", "*");
                    assertThat(sinkAlert.path("annotations").path("tables_waiting").asText()).contains(orders)
                            .doesNotContain(quiet);
                    String status = MonitorHttp.body(server, "/status");
                    assertThat(json.readTree(status).path("tables").toString()).contains(orders);
                    assertThat(LagMain.table(json.readTree(status))).contains(orders).contains("oldest waiting change");
                    assertThat(MonitorHttp.body(server, "/metrics")).containsPattern("cdc_table_pending_changes\\{sink=\"search\","
                            + "table=\"" + orders + "\"} [1-9]");
                    assertThat(MonitorHttp.body(server, "/health")).contains("table " + orders);
                    String dom = chromium("--dump-dom", "http://127.0.0.1:" + server.port() + "/");
                    assertThat(dom).as("the status page lists orders with its waiting changes").containsPattern(
                            "<tr class=\"warning\" data-table=\"" + orders + "\">[^\\n]*?<td>[1-9][0-9]*</td>");
                    assertThat(dom).contains("data-table=\"" + quiet + "\"").contains("search-tables");
                } finally {
                    esSettings(es.url(), orders, "{\"index.blocks.write\": null}");
                }
                awaitNotification(notifications, n -> n.path("status").asText().equals("resolved")
                        && alertOf(n, "CdcTableFreshness", orders) != null, 90);
                writing.set(false);
                busy.join(5_000);
                long inPostgres = count(pg, "SELECT count(*) FROM orders");
                Await.until(() -> esCount(es.url(), orders) == inPostgres, 60, "every order in Elasticsearch after the "
                        + "block (" + inPostgres + " in Postgres)");
                Await.until(() -> table(monitor, orders).pending() == 0, 30, "nothing of orders waiting any more");
                assertThat(toSearch.deadLettered()).as("the blocked writes waited; none was refused")
                        .containsEntry("elasticsearch", 0L);
                assertThat(toSearch.failure()).isNull();
            }
        } finally {
            cleanUp(writing, busy, receiver, es);
        }
    }

    private static Observation.TableState table(LagMonitor monitor, String name) {
        return monitor.tables().getOrDefault("search", List.of()).stream().filter(t -> t.table().equals(name))
                .findFirst().orElse(null);
    }

    private static Level tableLevel(LagMonitor monitor, String name) {
        return monitor.trackers().stream().filter(t -> t.table().equals(name) && t.last() != null)
                .map(t -> t.last().level()).findFirst().orElse(null);
    }

    private static JsonNode alertOf(JsonNode notification, String alertname, String table) {
        for (JsonNode alert : notification.path("alerts")) {
            if (alert.path("labels").path("alertname").asText().equals(alertname)
                    && alert.path("labels").path("table").asText().equals(table)) {
                return alert;
            }
        }
        return null;
    }

    private void esSettings(String url, String index, String settings) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_settings"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(settings)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("settings %s on %s: %s", settings, index, response.body()).isEqualTo(200);
    }

    private long esCount(String url, String index) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_refresh")).POST(
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_count")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("count").asLong();
    }

    private static long count(PostgresTestDatabase pg, String sql) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Stops the writer and the receiver; drops the freshness index the monitor wrote into Elasticsearch. */
    private void cleanUp(AtomicBoolean writing, Thread busy, HttpServer receiver, ElasticsearchTestIndex es)
            throws Exception {
        writing.set(false);
        if (busy != null) {
            busy.join(5_000);
        }
        receiver.stop(0);
        http.send(HttpRequest.newBuilder(URI.create(es.url() + "/cdc_freshness")).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** orders, which a writer keeps busy, and quiet, with one row nobody changes. */
    private static void createBusyAndQuietTables(PostgresTestDatabase pg) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric(12,2) NOT NULL)");
            st.execute("CREATE TABLE quiet (id integer PRIMARY KEY, note text)");
            st.execute("INSERT INTO quiet VALUES (1, 'nobody writes here')");
        }
    }

    /** A webhook receiver in Alertmanager's format, keeping every notification. */
    private HttpServer receiver(List<JsonNode> notifications) throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alerts", exchange -> {
            notifications.add(json.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        return receiver;
    }

    /** Inserts an order every 100 ms until {@code writing} turns false. */
    private static Thread busyWriter(PostgresTestDatabase pg, AtomicBoolean writing) {
        Thread busy = new Thread(() -> {
            while (writing.get()) {
                try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO orders (total) VALUES (12.50)");
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        }, "busy-table-writer");
        busy.start();
        return busy;
    }

    /**
     * The status page in headless Chromium (Debian's chromium): the DOM it renders has both sinks' rows and their
     * freshness charts with the outage's points, and the screenshot is kept as target/status-page.png.
     */
    private void statusPageRendersInChromium(MonitorServer server) throws Exception {
        String url = "http://127.0.0.1:" + server.port() + "/";
        Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        String dom = chromium("--dump-dom", url);
        assertThat(dom).contains("<table id=\"slos\"").contains("analytics-freshness").contains("search-freshness")
                .contains("data-sink=\"analytics\"").contains("data-sink=\"search\"").contains("<polyline");
        assertThat(dom).as("the chart of analytics shows readings").containsPattern(
                "data-sink=\"analytics\"[\\s\\S]*?points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+");
        chromium("--screenshot=" + screenshot, "--window-size=1280,900", url);
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png.length).as("a screenshot of some substance").isGreaterThan(10_000);
        assertThat(Arrays.copyOf(png, 8)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    }

    private static String chromium(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox",
                "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=3000"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(process.exitValue()).as("chromium %s", List.of(args)).isZero();
        return out;
    }

    /** One runner per sink: its own name, slot, offsets and dead letters. */
    private static EmbeddedPipeline pipeline(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, Path work, String which) {
        return EmbeddedPipeline.validate(PipelineFile.parse(pipelineConfig(stack, pg, ch, es, work, which)));
    }

    private static Map<String, String> pipelineConfig(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, Path work, String which) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("name", "lag-" + which);
        c.put("offset.storage.file", work.resolve(which + "-offsets.dat").toString());
        c.put("offset.flush.interval.ms", "500");
        c.put("dead.letter.dir", work.resolve("dead-letters").toString());
        c.put("retry.timeout.ms", "600000");
        // A slot, publication and topic prefix of its own (Debezium names its JMX beans after the prefix).
        DebeziumSourceConfig.of(stack, pg, pg.name() + "_" + which, List.of("public.orders", "public.quiet",
                "public.cdc_heartbeat")).forEach((k, v) -> c.put("source." + k, v));
        if (which.equals("ch")) {
            c.put("sinks", "clickhouse");
            c.put("sink.clickhouse.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
            c.put("sink.clickhouse.clickhouse.url", ch.url());
            c.put("sink.clickhouse.clickhouse.database", ch.name());
            c.put("sink.clickhouse.batch.linger.ms", "200");
        } else {
            c.put("sinks", "elasticsearch");
            c.put("sink.elasticsearch.connector.class", "io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector");
            c.put("sink.elasticsearch.elasticsearch.urls", es.url());
            c.put("sink.elasticsearch.index.name.format", es.name() + "_${table}");
        }
        return c;
    }

    private static long walBytesSince(PostgresTestDatabase pg, String lsn) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn + "')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String clickHouse(String url, String sql) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/")).POST(HttpRequest.BodyPublishers.ofString(
                sql + " FORMAT TabSeparated")).build(), HttpResponse.BodyHandlers.ofString()).body().strip();
    }

    private static Level level(LagMonitor monitor, String sink) {
        for (SloTracker tracker : monitor.trackers()) {
            if (tracker.slo().sink().equals(sink) && tracker.last() != null) {
                return tracker.last().level();
            }
        }
        return null;
    }

    private static boolean stalled(LagMonitor monitor, String sink) {
        return monitor.trackers().stream().anyMatch(t -> t.slo().sink().equals(sink) && t.last() != null
                && t.last().stalled());
    }

    private static void awaitLevel(LagMonitor monitor, String sink, Level wanted, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (level(monitor, sink) != wanted && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertThat(level(monitor, sink)).as("level of %s", sink).isEqualTo(wanted);
    }

    private static void awaitLevels(LagMonitor monitor, Predicate<Level> wanted, int seconds, String what)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Level a = level(monitor, "analytics");
            Level s = level(monitor, "search");
            if (a != null && s != null && wanted.test(a) && wanted.test(s)) {
                return;
            }
            Thread.sleep(250);
        }
        assertThat(Map.of("analytics", String.valueOf(level(monitor, "analytics")), "search",
                String.valueOf(level(monitor, "search")))).as(what).containsValues("OK").doesNotContainValue("CRITICAL")
                .doesNotContainValue("WARNING").doesNotContainValue("null");
    }

    private static JsonNode awaitNotification(List<JsonNode> notifications, Predicate<JsonNode> wanted, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonNode n : notifications) {
                if (wanted.test(n)) {
                    return n;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no such notification within " + seconds + " s; received: " + notifications);
    }
}
