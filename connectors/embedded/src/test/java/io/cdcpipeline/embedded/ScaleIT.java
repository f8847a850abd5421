package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.LongRun;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes of a whole pipeline: one transaction of 1,000,000 rows, and 1,000 tables in one runner (50,000 rows and 50
 * tables on a normal run; the full sizes with {@code bin/cdc test --long}, whose figures are committed). Both copies
 * must end equal to Postgres, with nothing dead-lettered.
 */
@RealStack
class ScaleIT {

    @Test
    void oneHugeTransactionArrivesWhole(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        int rows = LongRun.rounds(50_000, 1_000_000);
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "INSERT INTO customers (id, email) VALUES (1, 'one')");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            long committed = System.nanoTime();
            h.transaction("INSERT INTO orders SELECT g, 1 + g % 1000, 'bulk', g / 100.0, timestamp '2026-01-01' "
                    + "+ g * interval '1 second' FROM generate_series(1, " + rows + ") g",
                    "UPDATE customers SET name = 'after the bulk' WHERE id = 1");
            Await.until(() -> Integer.toString(rows).equals(h.clickHouse("SELECT count() FROM " + ch.name()
                    + ".orders_current").trim()), LongRun.rounds(300, 1800), "every row of the transaction in ClickHouse");
            long compared = h.awaitCopiesEqualSource(LongRun.rounds(300, 1800));
            long seconds = Math.max(1, (System.nanoTime() - committed) / 1_000_000_000L);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            ReliabilityCase.fault("One transaction of " + String.format("%,d", rows) + " rows")
                    .expected("streamed within the sinks' bounded buffers; every row in both copies")
                    .observed("both copies equal Postgres " + seconds + " s after the commit (about "
                            + String.format("%,d", rows / seconds) + " rows/s for both sinks), 0 dead letters")
                    .rowsCompared(compared).record();
        }
    }

    @Test
    void aThousandTablesInOneRunner(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        int tables = LongRun.rounds(50, 1000);
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        StringBuilder ddl = new StringBuilder();
        for (int t = 1; t <= tables; t++) {
            ddl.append("CREATE TABLE t").append(t).append(" (id integer PRIMARY KEY, v text); INSERT INTO t").append(t)
                    .append(" VALUES (1, 'a'), (2, 'b');");
        }
        h.sql(ddl.toString());
        h.extraConfig.put("source.table.include.list", "public\\.t[0-9]+");
        // One shard and no replica per index: a single node holds 1,000 shards by default, 1,000 tables need 1,000.
        h.extraConfig.put("sink.elasticsearch.index.settings", "{\"number_of_shards\": 1, \"number_of_replicas\": 0}");
        setShardLimit(es, "3000");
        long started = System.nanoTime();
        try (EmbeddedPipeline pipeline = h.start()) {
            h.sql("UPDATE t" + tables + " SET v = 'changed' WHERE id = 2", "DELETE FROM t1 WHERE id = 1");
            String countAll = IntStream.rangeClosed(1, tables).mapToObj(t -> "SELECT count() AS c FROM "
                    + ch.name() + ".t" + t + "_current").collect(Collectors.joining(" UNION ALL "));
            Await.until(() -> Long.toString(2L * tables - 1).equals(h.clickHouse("SELECT sum(c) FROM (" + countAll
                    + ")").trim()),
                    LongRun.rounds(300, 1800), "every table's rows in ClickHouse");
            Await.until(() -> documents(es) == 2L * tables - 1, LongRun.rounds(300, 1800),
                    "every table's rows in Elasticsearch");
            assertThat(h.clickHouse("SELECT v FROM " + ch.name() + ".t" + tables + "_current WHERE id = 2").trim())
                    .isEqualTo("changed");
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            ReliabilityCase.fault(String.format("%,d", tables) + " tables in one runner")
                    .expected("a ClickHouse table and an Elasticsearch index per table; every row in both")
                    .observed(tables + " tables and their changes in both copies " + seconds + " s after the start "
                            + "(snapshot, table and index creation included), 0 dead letters")
                    .rowsCompared(2L * (2L * tables - 1)).record();
        } finally {
            setShardLimit(es, "null");
        }
    }

    private static long documents(ElasticsearchTestIndex es) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + es.name() + "_t*/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        String body = http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + es.name() + "_t*/_count")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher count = Pattern.compile("\"count\":(\\d+)").matcher(body);
        return count.find() ? Long.parseLong(count.group(1)) : -1;
    }

    private static void setShardLimit(ElasticsearchTestIndex es, String value) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(es.url()
                + "/_cluster/settings")).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers
                .ofString("{\"persistent\": {\"cluster.max_shards_per_node\": " + value + "}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
