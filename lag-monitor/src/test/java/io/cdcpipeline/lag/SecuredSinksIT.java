package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.http.MonitorServer;
import io.cdcpipeline.lag.probe.SinkHttp;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.SideElasticsearch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor reads sinks that require a login: Elasticsearch with security on, over HTTPS with its own CA (a
 * second node), and a ClickHouse user with a password; the secrets come from a file through {@code ${file:...}}, as
 * in the sinks' own configs. Wrong credentials, an unknown API key and a CA the monitor was not given each show as
 * that sink's problem, naming the server's answer. (A valid API key cannot be made on this Elasticsearch build: its
 * security index needs a module the integ-test distribution leaves out, see SecuredElasticsearchIT.)
 */
@RealStack
class SecuredSinksIT {

    private static final String PASSWORD = "monitor-s3cret";

    @Test
    void heartbeatsAreReadWithPasswordsTlsAndTheirFailuresNamed(PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            @TempDir Path work) throws Exception {
        long beat = Instant.now().minusSeconds(3).toEpochMilli();
        HttpClient plain = HttpClient.newHttpClient();
        post(plain, ch.url() + "/", "CREATE TABLE " + ch.name() + ".cdc_heartbeat (id Int32, beat_ms Int64) "
                + "ENGINE = MergeTree ORDER BY id");
        post(plain, ch.url() + "/", "INSERT INTO " + ch.name() + ".cdc_heartbeat VALUES (1, " + beat + ")");
        try (SideElasticsearch node = SideElasticsearch.start("secured-monitor", 29221, 29321,
                "xpack.security.enabled=true", "xpack.security.transport.ssl.enabled=false",
                "bootstrap.password=" + PASSWORD, "tls=true")) {
            Path ca = Path.of(node.truststore()).resolveSibling("ca.pem");
            MonitorConfig.Sink admin = new MonitorConfig.Sink("setup", MonitorConfig.Sink.Kind.ELASTICSEARCH,
                    node.url(), null, "monitor_hb", null, new MonitorConfig.Access("elastic", PASSWORD, null,
                    ca.toString(), true));
            SinkHttp setup = SinkHttp.of(admin);
            HttpResponse<String> put = setup.client().send(setup.request(node.url() + "/monitor_hb/_doc/1?refresh=true",
                    Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"beat_ms\": " + beat + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isIn(200, 201);

            Path secrets = work.resolve("secrets.properties");
            Files.writeString(secrets, "es.password=" + PASSWORD + "\nch.password=cdc-locked-secret\n");
            String apiKey = Base64.getEncoder().encodeToString("no-such-id:no-such-key".getBytes(StandardCharsets.UTF_8));
            Path config = work.resolve("lag.yaml");
            Files.writeString(config, """
                    postgres:
                      url: %1$s
                      user: %2$s
                    heartbeat:
                      table: public.cdc_heartbeat
                    sinks:
                      analytics:
                        type: clickhouse
                        url: %3$s
                        database: %4$s
                        user: cdc_locked
                        password: ${file:%5$s:ch.password}
                      analytics-wrong:
                        type: clickhouse
                        url: %3$s
                        database: %4$s
                        user: cdc_locked
                        password: not-it
                      search:
                        type: elasticsearch
                        url: %6$s
                        index: monitor_hb
                        user: elastic
                        password: ${file:%5$s:es.password}
                        ca.file: %7$s
                      search-untrusted:
                        type: elasticsearch
                        url: %6$s
                        index: monitor_hb
                        user: elastic
                        password: ${file:%5$s:es.password}
                      search-apikey:
                        type: elasticsearch
                        url: %6$s
                        index: monitor_hb
                        api.key: %8$s
                        ca.file: %7$s
                    slos:
                      - sink: analytics
                        threshold: 1h
                    """.formatted(pg.jdbcUrl(), pg.user(), ch.url(), ch.name(), secrets, node.url(), ca, apiKey));
            try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC())) {
                monitor.check();
                Map<String, Observation.SinkState> sinks = monitor.sinks();
                assertThat(sinks.get("analytics").newestVisible()).as("%s", sinks.get("analytics"))
                        .isEqualTo(Instant.ofEpochMilli(beat));
                assertThat(sinks.get("search").newestVisible()).as("%s", sinks.get("search"))
                        .isEqualTo(Instant.ofEpochMilli(beat));
                assertThat(sinks.get("analytics-wrong").problem()).contains("ClickHouse").contains("401").containsPattern("193|516")
                        .doesNotContain("cdc-locked-secret");
                assertThat(sinks.get("search-untrusted").problem()).as("a certificate the JVM does not trust")
                        .containsPattern("(?i)pkix|certificat|handshake");
                assertThat(sinks.get("search-untrusted").newestVisible()).isNull();
                assertThat(sinks.get("search-apikey").problem()).contains("401");
            }
        }
    }

    /** With http.user set, every path of the monitor's own HTTP asks for those credentials, and lag status sends them. */
    @Test
    void theMonitorsOwnHttpAsksForItsCredentials(PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            @TempDir Path work) throws Exception {
        Path config = work.resolve("lag.yaml");
        Files.writeString(config, """
                postgres:
                  url: %s
                  user: %s
                sinks:
                  analytics: {type: clickhouse, url: "%s", database: %s}
                slos:
                  - sink: analytics
                    threshold: 1h
                http:
                  host: 0.0.0.0
                  user: prometheus
                  password: scrape-s3cret
                """.formatted(pg.jdbcUrl(), pg.user(), ch.url(), ch.name()));
        MonitorConfig parsed = MonitorConfig.load(config);
        HttpClient http = HttpClient.newHttpClient();
        try (LagMonitor monitor = new LagMonitor(parsed, Clock.systemUTC());
                MonitorServer server = new MonitorServer(monitor, "127.0.0.1", 0, parsed.httpAuth())) {
            for (String path : List.of("/metrics", "/health", "/status", "/")) {
                URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
                assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode()).as("%s without credentials", path).isEqualTo(401);
                assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization", basic("prometheus:wrong"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).as("%s, wrong password", path)
                        .isEqualTo(401);
                assertThat(http.send(HttpRequest.newBuilder(uri).header("Authorization",
                        basic("prometheus:scrape-s3cret")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode()).as("%s with the credentials", path).isIn(200, 503);
            }
            assertThat(new picocli.CommandLine(new LagMain.Status()).execute("--url", "http://prometheus:wrong@"
                    + "127.0.0.1:" + server.port())).as("lag status refused").isEqualTo(2);
            assertThat(new picocli.CommandLine(new LagMain.Status()).execute("--url", "http://prometheus:scrape-s3cret@"
                    + "127.0.0.1:" + server.port())).as("lag status with the credentials").isIn(0, 1);
        }
        ReliabilityCase.badInput("Lag monitor HTTP bound beyond loopback (http.host 0.0.0.0)").mode("both")
                .expected("refused without http.user/http.password; with them every path asks for HTTP Basic")
                .observed("config refused naming http.host; /metrics, /health, /status and / answer 401 without or "
                        + "with wrong credentials, and serve with the right ones; lag status sends them").record();
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(
                StandardCharsets.UTF_8));
    }

    private static void post(HttpClient http, String url, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
