package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A Debezium incremental snapshot (the {@code execute-snapshot} signal) while the pipeline runs: its reads never
 * undo a change that commits after them, and when it completes a table, rows of the copies whose key Postgres no
 * longer has are removed.
 */
@RealStack
class IncrementalSnapshotIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anIncrementalSnapshotKeepsLateCommitsAndRemovesRowsPostgresNoLongerHas(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work)
            throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'C' || g FROM generate_series(1, 2500) g",
                "INSERT INTO order_items SELECT g, l, 'sku-' || l, l FROM generate_series(1, 30) g, generate_series(1, 2) l");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);

            // Rows whose deletes never reached the copies (as after a lost position): a simple and a composite key,
            // one above and one inside the table's key range.
            h.clickHouse("INSERT INTO " + ch.name() + ".customers (id, email, active, _cdc_version, _cdc_deleted, "
                    + "_cdc_source_ts) VALUES (9001, 'stray@example.com', 1, 5, 0, now()), (2501, 'x@example.com', 1, 0, 0, now())");
            h.clickHouse("INSERT INTO " + ch.name() + ".order_items (order_id, line, sku, qty, _cdc_version, _cdc_deleted, "
                    + "_cdc_source_ts) VALUES (7, 9, 'stray', 1, 5, 0, now())");
            index(es.url() + "/" + es.name() + "_customers/_doc/9001?version=5&version_type=external",
                    "{\"id\": 9001, \"email\": \"stray@example.com\", \"active\": true}");
            index(es.url() + "/" + es.name() + "_order_items/_doc/" + URLEncoder.encode("[7,9]", StandardCharsets.UTF_8)
                    + "?version=5&version_type=external", "{\"order_id\": 7, \"line\": 9, \"sku\": \"stray\", \"qty\": 1}");
            assertThat(h.clickHouse("SELECT count() FROM " + ch.name() + ".customers_current").trim()).isEqualTo("2502");

            try (Connection open = pg.connect(); Statement st = open.createStatement()) {
                // A transaction changes a row before the snapshot reads its chunk and commits after the chunk is
                // sent; meanwhile another change of the table commits (its LSN is above the open change's).
                open.setAutoCommit(false);
                st.execute("UPDATE customers SET name = 'committed late' WHERE id = 1");
                h.sql("UPDATE customers SET name = 'committed meanwhile' WHERE id = 2");
                h.sql("INSERT INTO debezium_signal VALUES ('s1', 'execute-snapshot', '{\"data-collections\": "
                        + "[\"public.customers\", \"public.order_items\"], \"type\": \"incremental\"}')");
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (PipelineHarness.staleRemoved("clickhouse") < 3 || PipelineHarness.staleRemoved("elasticsearch") < 2) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("strays not removed within 120 s of the signal: ClickHouse "
                                + PipelineHarness.staleRemoved("clickhouse") + " of 3, Elasticsearch "
                                + PipelineHarness.staleRemoved("elasticsearch") + " of 2");
                    }
                    Thread.sleep(250);
                }
                open.commit();
            }
            long compared = h.awaitCopiesEqualSource(60); // customer 1 'committed late', no stray left in either copy
            assertThat(PipelineHarness.staleRemoved("clickhouse")).as("ClickHouse strays removed").isEqualTo(3);
            assertThat(PipelineHarness.staleRemoved("elasticsearch")).as("Elasticsearch strays removed").isEqualTo(2);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            ReliabilityCase.fault("Incremental snapshot while a transaction that changed a row commits after the "
                            + "snapshot read it; copies holding rows Postgres no longer has")
                    .expected("the late commit wins over the snapshot's read; the sweep removes the strays")
                    .observed("late commit kept; 3 strays removed from ClickHouse, 2 from Elasticsearch; both equal "
                            + "Postgres").rowsCompared(compared).record();
        }
    }

    private void index(String url, String json) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("indexing a stray: %s", response.body()).isBetween(200, 201);
    }

    /**
     * A blocking snapshot restricted by additional conditions (for a blocking snapshot the filter is a whole SELECT)
     * re-sends only the rows it selects, with the same completion markers as a whole-table snapshot: the copies must
     * not lose the other rows to a sweep.
     */
    @Test
    void aBlockingSnapshotOfSomeRowsRemovesNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'C' || g FROM generate_series(1, 100) g");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            h.sql("INSERT INTO debezium_signal VALUES ('b1', 'execute-snapshot', '{\"data-collections\": "
                    + "[\"public.customers\"], \"type\": \"blocking\", \"additional-conditions\": "
                    + "[{\"data-collection\": \"public.customers\", \"filter\": \"SELECT * FROM public.customers WHERE id <= 10\"}]}')");
            // The blocking snapshot pauses streaming: a change after it arrives only once the snapshot is done.
            h.sql("UPDATE customers SET name = 'after the blocking snapshot' WHERE id = 50");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!h.clickHouse("SELECT name FROM " + ch.name() + ".customers_current WHERE id = 50")
                    .contains("after the blocking snapshot")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the change after the blocking snapshot did not arrive within 60 s");
                }
                Thread.sleep(250);
            }
            h.awaitCopiesEqualSource(30);
            assertThat(PipelineHarness.staleRemoved("clickhouse")).isZero();
            assertThat(PipelineHarness.staleRemoved("elasticsearch")).isZero();
            assertThat(pipeline.failure()).isNull();
        }
    }

    /** {@code bin/cdc snapshot --where}: the rows a condition selects are sent again and fill what a copy lost. */
    @Test
    void aSnapshotOfSomeRowsFillsWhatACopyLost(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'C' || g FROM generate_series(1, 50) g");
        Path config = h.writeConfig(work.resolve("pipeline.properties"));
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            h.clickHouse("ALTER TABLE " + ch.name() + ".customers DELETE WHERE id <= 15");
            h.awaitClickHouseMutations();
            assertThat(h.clickHouse("SELECT count() FROM " + ch.name() + ".customers_current").trim()).isEqualTo("35");

            for (String where : List.of("id <= 5", "id BETWEEN 6 AND 10", "id BETWEEN 11 AND 15")) { // queued
                int exit = new CommandLine(new SnapshotMain()).execute("--config", config.toString(), "--table",
                        "public.customers", "--where", where);
                assertThat(exit).isZero();
            }
            h.awaitCopiesEqualSource(60);
            assertThat(pipeline.failure()).isNull();
        }
    }
}
