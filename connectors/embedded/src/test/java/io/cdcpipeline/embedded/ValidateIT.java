package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/cdc validate} on a running pipeline under a live load: drift injected by hand into both copies is named
 * key for key (and nothing else is, though rows keep changing), and {@code --repair} puts both copies right.
 */
@RealStack
class ValidateIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private String esUrl;

    @Test
    void validateNamesEveryInjectedKeyAndRepairFixesThemUnderLoad(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        esUrl = es.url();
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'C' || g FROM generate_series(1, 200) g",
                "INSERT INTO orders SELECT g, 1, 'new', g, timestamp '2026-01-01' FROM generate_series(1, 500) g",
                "INSERT INTO order_items SELECT g, l, 'sku-' || l, l FROM generate_series(1, 50) g, generate_series(1, 2) l");
        Path config = h.writeConfig(work.resolve("pipeline.properties"));
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);

            AtomicBoolean running = new AtomicBoolean(true);
            List<String> loadErrors = new CopyOnWriteArrayList<>();
            Thread load = new Thread(() -> {
                int next = 501;
                while (running.get()) {
                    try {
                        h.sql("INSERT INTO orders VALUES (" + next + ", 1, 'live', 1, now())",
                                "UPDATE orders SET status = 'paid' WHERE id = " + (next % 500 + 1),
                                "DELETE FROM orders WHERE id = " + (next - 300));
                        next++;
                        Thread.sleep(10);
                    } catch (Exception e) {
                        loadErrors.add(e.toString());
                    }
                }
            });
            load.start();
            try {
                // Drift: rows lost from a copy, ghost rows in both, simple and composite keys.
                h.clickHouse("ALTER TABLE " + ch.name() + ".customers DELETE WHERE id IN (10, 11)");
                h.clickHouse("INSERT INTO " + ch.name() + ".customers (id, email, active, _cdc_version, _cdc_deleted, "
                        + "_cdc_source_ts) VALUES (5001, 'ghost@example.com', 1, 5, 0, now())");
                h.clickHouse("INSERT INTO " + ch.name() + ".order_items (order_id, line, sku, qty, _cdc_version, "
                        + "_cdc_deleted, _cdc_source_ts) VALUES (99, 1, 'ghost', 1, 5, 0, now())");
                // A value changed by hand (a newer version of the row), and a row hidden by a newer delete marker.
                h.clickHouse("INSERT INTO " + ch.name() + ".customers SELECT id, email, 'tampered', balance, active, "
                        + "born, updated_at, _cdc_version + 1, 0, _cdc_source_ts, now() FROM " + ch.name()
                        + ".customers FINAL WHERE id = 22");
                h.clickHouse("INSERT INTO " + ch.name() + ".customers SELECT id, email, name, balance, active, "
                        + "born, updated_at, _cdc_version + 1, 1, _cdc_source_ts, now() FROM " + ch.name()
                        + ".customers FINAL WHERE id = 23");
                es("POST", es.name() + "_customers/_update/21", "{\"doc\": {\"email\": \"tampered@example.com\"}}");
                // Without a delete tombstone kept (as for a document that never arrived), so a re-sent read can fill it.
                es("PUT", es.name() + "_customers/_settings", "{\"index.gc_deletes\": \"0s\"}");
                es("DELETE", es.name() + "_customers/_doc/12", null);
                es("PUT", es.name() + "_customers/_doc/5002?version=5&version_type=external",
                        "{\"id\": 5002, \"email\": \"ghost@example.com\", \"active\": true}");
                es("PUT", es.name() + "_order_items/_doc/" + URLEncoder.encode("[98,2]", StandardCharsets.UTF_8)
                        + "?version=5&version_type=external", "{\"order_id\": 98, \"line\": 2, \"sku\": \"g\", \"qty\": 1}");
                h.awaitClickHouseMutations();

                List<CopyCheck.Result> results;
                List<CopyCheck.Result> light;
                try (ValidateMain.Validation validation = new ValidateMain.Validation(PipelineFile.load(config),
                        List.of(), new CopyCheck.Options(1000, Duration.ofSeconds(2), 2, work))) {
                    results = validation.check(List.of());
                }
                // A light check whose sample (1,000 keys a side) takes in every row of these tables finds the same.
                try (ValidateMain.Validation validation = new ValidateMain.Validation(PipelineFile.load(config),
                        List.of(), new CopyCheck.Options(1000, Duration.ofSeconds(2), 2, work, 1000))) {
                    light = validation.check(List.of("public.customers", "public.order_items"));
                }
                assertThat(drift(light)).as("the light check").isEqualTo(drift(results));
                assertThat(results).filteredOn(r -> r.table().table().equals("orders"))
                        .extracting(CopyCheck.Result::status).containsOnly(CopyCheck.Status.EQUAL);

                // The command: exit 1 on drift; --repair fixes it and checks again, exit 0.
                ByteArrayOutputStream printed = new ByteArrayOutputStream();
                PrintStream stdout = System.out;
                int checked;
                int repaired;
                try {
                    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
                    checked = new CommandLine(new ValidateMain()).execute("--config", config.toString(),
                            "--settle-seconds", "2", "--table", "public.customers");
                    repaired = new CommandLine(new ValidateMain()).execute("--config", config.toString(),
                            "--settle-seconds", "2", "--repair", "--repair-timeout-seconds", "120");
                } finally {
                    System.setOut(stdout);
                }
                String output = printed.toString(StandardCharsets.UTF_8);
                assertThat(checked).as("exit code with drift; output:%n%s", output).isEqualTo(1);
                assertThat(output).contains("public.customers -> clickhouse", "DRIFT", "missing keys (3): 10, 11, 23",
                        "extra keys (1): 5001", "22: name Postgres 'C22', copy 'tampered'");
                assertThat(repaired).as("exit code after --repair; output:%n%s", output).isZero();
                assertThat(output).contains("== before repair", "== after repair",
                        "repair: public.customers in clickhouse: 1 of 1 extra rows removed",
                        "repair: public.customers: 2 rows with other values streamed again",
                        "repair: public.customers in elasticsearch: 1 of 1 missing rows arrived",
                        "repair: public.customers in clickhouse: 2 of 3 missing rows arrived; 1 did not",
                        "repair: public.customers: 1 rows still missing streamed again",
                        "repair: public.customers in clickhouse: 1 of 1 missing rows arrived");
            } finally {
                running.set(false);
                load.join();
            }
            assertThat(loadErrors).isEmpty();
            h.awaitCopiesEqualSource(60);
            assertThat(pipeline.failure()).isNull();
        }
    }

    /** Per sink and table with drift: the missing and extra keys. */
    private static TreeMap<String, String> drift(List<CopyCheck.Result> results) {
        TreeMap<String, String> drift = new TreeMap<>();
        for (CopyCheck.Result r : results) {
            if (r.drifted()) {
                List<List<String>> extra = new ArrayList<>();
                r.extra().forEach(row -> extra.add(row.key()));
                List<String> differing = new ArrayList<>();
                for (CopyCheck.Difference d : r.differing()) {
                    List<String> columns = new ArrayList<>();
                    d.columns().forEach(c -> columns.add(c.column() + " Postgres " + c.source() + ", copy " + c.copy()));
                    differing.add(d.key() + ": " + String.join("; ", columns));
                }
                drift.put(r.sink() + " " + r.table(), "missing " + r.missing() + " extra " + extra + " differing "
                        + differing);
            }
        }
        return drift;
    }

    private void es(String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                        esUrl + "/" + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isBetween(200, 201);
    }
}
