package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.embedded.EmbeddedPipeline;
import io.cdcpipeline.embedded.PipelineFile;
import io.cdcpipeline.lag.alert.Alert;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.http.MonitorServer;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumSourceConfig;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.io.Writer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lag monitor's scheduled consistency checks on a running pipeline: a row added to a copy by hand shows in the
 * drift metric, the status and, once it held over two checks, as an alert and a health reason; put right, all clear.
 */
@RealStack
class ConsistencyMonitorIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void driftInACopyIsMeasuredAlertedAndClearedByTheScheduledChecks(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        Path pipelineFile = pipelineFile(stack, pg, ch, work);
        Path config = monitorConfig(pg, ch, pipelineFile, "every: 2s", work);
        try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC());
                EmbeddedPipeline runner = EmbeddedPipeline.validate(PipelineFile.load(pipelineFile));
                MonitorServer server = new MonitorServer(monitor, 0)) {
            monitor.prepare();
            runner.start();
            Await.until(() -> clickHouse(ch, "SELECT count() FROM " + ch.name() + ".customers_current").equals("20"),
                    90, "the snapshot in ClickHouse");
            monitor.start();
            Await.until(() -> status(monitor) == CopyCheck.Status.EQUAL, 60, "a first check finds the copy equal: "
                    + monitor.consistency());

            clickHouse(ch, "INSERT INTO " + ch.name() + ".customers (id, name, _cdc_version, _cdc_deleted, "
                    + "_cdc_source_ts) VALUES (5001, 'ghost', 5, 0, now())");
            Await.until(() -> monitor.alerts(Instant.now()).stream().anyMatch(a -> isDrift(a)), 60,
                    "the drift alert after two checks in a row: " + monitor.consistency());
            Alert alert = monitor.alerts(Instant.now()).stream().filter(this::isDrift).findFirst().orElseThrow();
            assertThat(alert.labels()).containsEntry("sink", "clickhouse").containsEntry("table", "public.customers");
            assertThat(alert.annotations().get("summary")).contains("differs from Postgres in 1 rows");
            assertThat(monitor.unhealthyReasons()).anyMatch(r -> r.contains("table public.customers of sink clickhouse "
                    + "differs from Postgres in 1 rows"));
            assertThat(MonitorHttp.body(server, "/metrics")).contains(
                    "cdc_consistency_drifted_rows{sink=\"clickhouse\",table=\"public.customers\"} 1.0",
                    "cdc_consistency_rows_checked{sink=\"clickhouse\",table=\"public.customers\"} 21.0",
                    "cdc_consistency_last_check_timestamp_seconds");
            assertThat(MonitorHttp.body(server, "/status")).contains("\"consistency\"", "\"drifted_rows\":1");

            // Put right (a newer delete marker): the next check is clean and the alert goes.
            clickHouse(ch, "INSERT INTO " + ch.name() + ".customers (id, name, _cdc_version, _cdc_deleted, "
                    + "_cdc_source_ts) VALUES (5001, 'ghost', 6, 1, now())");
            Await.until(() -> status(monitor) == CopyCheck.Status.EQUAL
                    && monitor.alerts(Instant.now()).stream().noneMatch(this::isDrift), 60, "clear again");
            assertThat(monitor.unhealthyReasons()).noneMatch(r -> r.contains("differs from Postgres"));
            assertThat(runner.failure()).isNull();
        }
    }

    /**
     * Scheduled checks an hour apart: after the first, a row is removed from the copy by hand, then a column is added
     * in Postgres. The schema watch sees the new column and checks that table again at once, which finds the row.
     */
    @Test
    void aSchemaChangeTriggersACheckOfItsTable(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        Path pipelineFile = pipelineFile(stack, pg, ch, work);
        Path config = monitorConfig(pg, ch, pipelineFile, "every: 1h\n  schema.watch: 500ms", work);
        try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC());
                EmbeddedPipeline runner = EmbeddedPipeline.validate(PipelineFile.load(pipelineFile))) {
            monitor.prepare();
            runner.start();
            Await.until(() -> clickHouse(ch, "SELECT count() FROM " + ch.name() + ".customers_current").equals("20"),
                    90, "the snapshot in ClickHouse");
            monitor.start();
            Await.until(() -> status(monitor) == CopyCheck.Status.EQUAL, 60, "the first check: "
                    + monitor.consistency());
            Thread.sleep(1_500); // the watch has read the columns as they were
            assertThat(monitor.schemaChangeChecks()).isZero();

            clickHouse(ch, "INSERT INTO " + ch.name() + ".customers (id, name, _cdc_version, _cdc_deleted, "
                    + "_cdc_source_ts) SELECT id, name, _cdc_version + 1, 1, now() FROM " + ch.name()
                    + ".customers FINAL WHERE id = 7");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE customers ADD COLUMN phone text");
            }
            Await.until(() -> status(monitor) == CopyCheck.Status.DRIFT, 60, "a check after the schema change: "
                    + monitor.consistency());
            assertThat(monitor.schemaChangeChecks()).isEqualTo(1);
            assertThat(monitor.consistency()).singleElement().satisfies(r -> assertThat(r.missing())
                    .containsExactly(List.of("7")));
        }
    }

    /** The monitor's config: a ClickHouse sink, full checks of public.customers with {@code schedule}. */
    private static Path monitorConfig(PostgresTestDatabase pg, ClickHouseTestDatabase ch, Path pipelineFile,
            String schedule, Path work) throws Exception {
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
                  clickhouse:
                    type: clickhouse
                    url: %s
                    database: %s
                consistency:
                  pipeline: %s
                  %s
                  light: 0
                  settle: 500ms
                  tables: [public.customers]
                http:
                  port: 0
                """.formatted(pg.jdbcUrl(), pg.user(), ch.url(), ch.name(), pipelineFile, schedule));
        return config;
    }

    /** Customers (20 rows) and the heartbeat table, captured into ClickHouse by an embedded pipeline's file. */
    private static Path pipelineFile(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            Path work) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("CREATE TABLE cdc_heartbeat (id integer PRIMARY KEY, beat_ms bigint NOT NULL, "
                    + "beat_at timestamptz NOT NULL)");
            st.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 20) g");
        }
        Properties pipeline = new Properties();
        pipeline.put("name", "consistency");
        pipeline.put("offset.storage.file", work.resolve("offsets.dat").toString());
        pipeline.put("dead.letter.dir", work.resolve("dead-letters").toString());
        DebeziumSourceConfig.of(stack, pg, pg.name(), List.of("public.customers", "public.cdc_heartbeat"))
                .forEach((k, v) -> pipeline.put("source." + k, v));
        pipeline.put("sinks", "clickhouse");
        pipeline.put("sink.clickhouse.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
        pipeline.put("sink.clickhouse.clickhouse.url", ch.url());
        pipeline.put("sink.clickhouse.clickhouse.database", ch.name());
        Path pipelineFile = work.resolve("pipeline.properties");
        try (Writer out = Files.newBufferedWriter(pipelineFile)) {
            pipeline.store(out, null);
        }
        return pipelineFile;
    }

    private boolean isDrift(Alert alert) {
        return "CdcConsistencyDrift".equals(alert.labels().get("alertname"));
    }

    private static CopyCheck.Status status(LagMonitor monitor) {
        return monitor.consistency().stream().map(CopyCheck.Result::status).findFirst().orElse(null);
    }

    private String clickHouse(ClickHouseTestDatabase ch, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body().trim() : "";
    }

}
