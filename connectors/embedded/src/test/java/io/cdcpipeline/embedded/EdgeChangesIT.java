package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes at the edges of what a copy can follow: primary keys changed by UPDATE (one key, a composite key, two rows
 * swapping keys in one transaction), TRUNCATE (the runner passes truncates on: ClickHouse deletes the older rows,
 * Elasticsearch rebuilds the index from a snapshot), and table names one sink cannot take apart (two tables whose
 * index names are equal once lower-cased, a name no index may have): refused for that sink only, naming the table.
 */
@RealStack
class EdgeChangesIT {

    @Test
    void primaryKeyUpdatesMoveTheRowInBothCopies(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = shop(stack, pg, ch, es, work);
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            h.sql("UPDATE customers SET id = 1000 + id WHERE id <= 5",
                    "UPDATE order_items SET line = line + 10 WHERE order_id = 1");
            h.transaction("UPDATE customers SET id = -1 WHERE id = 6", "UPDATE customers SET id = 6 WHERE id = 7",
                    "UPDATE customers SET id = 7, name = 'was 6' WHERE id = -1");
            long compared = h.awaitCopiesEqualSource(120);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            ReliabilityCase.badInput("Primary key changed by UPDATE (single key, composite key, two rows swapping keys "
                            + "in one transaction)")
                    .expected("the old key's row is gone and the new key's row is there, in both copies")
                    .observed("both copies equal Postgres, 0 dead letters").rowsCompared(compared).record();
        }
    }

    @Test
    void aTruncateEmptiesBothCopies(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = shop(stack, pg, ch, es, work);
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            h.sql("TRUNCATE order_items", "INSERT INTO order_items VALUES (500, 1, 'after the truncate', 1)",
                    "TRUNCATE customers", "INSERT INTO customers (id, email) VALUES (1, 'back'), (900, 'new')");
            h.sql("UPDATE customers SET name = 'changed after' WHERE id = 900");
            long compared = h.awaitCopiesEqualSource(180);
            Await.until(() -> alias(es, "order_items").contains(es.name() + "_order_items_v2")
                    && alias(es, "customers").contains(es.name() + "_customers_v2"), 120,
                    "the truncated tables' aliases on their rebuilt indices");
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            h.awaitCopiesEqualSource(60);
            ReliabilityCase.badInput("TRUNCATE of two tables mid-stream, rows inserted and updated right after")
                    .expected("ClickHouse deletes the rows older than the truncate; Elasticsearch rebuilds the index "
                            + "from a snapshot and moves the alias; both end equal to Postgres")
                    .observed("both copies equal Postgres; both aliases moved to _v2; 0 dead letters")
                    .rowsCompared(compared).record();
        }
    }

    @Test
    void namesAnIndexCannotTakeAreRefusedForThatSinkOnly(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "CREATE TABLE \"Customers\" (id integer PRIMARY KEY, note text)",
                "INSERT INTO \"Customers\" SELECT g, 'upper ' || g FROM generate_series(1, 5) g",
                "CREATE TABLE \"bad*name\" (id integer PRIMARY KEY, note text)",
                "INSERT INTO \"bad*name\" SELECT g, 'bad ' || g FROM generate_series(1, 3) g");
        h.extraConfig.put("source.table.include.list", "public.customers,public.Customers,public.bad\\*name");
        h.sql("INSERT INTO customers (id, email) SELECT g, 'c' || g FROM generate_series(1, 4) g");
        try (EmbeddedPipeline pipeline = h.start()) {
            Await.until(() -> h.deadLetters("elasticsearch").size() == 5 + 3
                    || h.deadLetters("elasticsearch").size() == 4 + 3, 120,
                    "one of customers and Customers, and bad*name, dead-lettered by Elasticsearch");
            List<String> refused = h.deadLetters("elasticsearch");
            assertThat(refused).filteredOn(l -> l.contains("bad*name")).hasSize(3)
                    .allMatch(l -> l.contains("bad*name") && l.toLowerCase().contains("index"));
            assertThat(refused).filteredOn(l -> !l.contains("bad*name"))
                    .allMatch(l -> l.contains("are both written to " + es.name() + "_customers"));
            Await.until(() -> "5".equals(h.clickHouse("SELECT count() FROM " + ch.name() + ".`Customers_current`")
                    .trim()) && "3".equals(h.clickHouse("SELECT count() FROM " + ch.name() + ".`bad*name_current`")
                    .trim()) && "4".equals(h.clickHouse("SELECT count() FROM " + ch.name() + ".customers_current")
                    .trim()), 60, "ClickHouse takes all three tables under their own names");
            assertThat(h.deadLetters("clickhouse")).isEmpty();
            assertThat(pipeline.failure()).isNull();
            ReliabilityCase.badInput("Two tables whose index names are equal once lower-cased (customers, "
                            + "\"Customers\"): the same target twice")
                    .expected("the second table is refused by Elasticsearch naming both tables and the index, its "
                            + "records dead-lettered (replayable); ClickHouse, where the names differ, takes both")
                    .observed("the second table's rows dead-lettered: 'tables ... are both written to ..."
                            + "_customers'; ClickHouse holds both tables").rowsCompared(9).record();
            ReliabilityCase.badInput("A table name no Elasticsearch index may have (\"bad*name\")")
                    .expected("its records dead-lettered by Elasticsearch with the reason; ClickHouse takes the table")
                    .observed("3 of 3 rows dead-lettered naming bad*name and the index; 3 rows in ClickHouse")
                    .rowsCompared(3).record();
        }
    }

    @Test
    void aTableRenamedOrDroppedInPostgresKeepsItsCopyAndValidateNamesIt(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = shop(stack, pg, ch, es, work);
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            h.sql("ALTER TABLE order_items RENAME TO order_lines", "INSERT INTO order_lines VALUES (900, 1, 'x', 1)",
                    "DROP TABLE orders", "UPDATE customers SET name = 'still streaming' WHERE id = 1");
            Await.until(() -> h.clickHouse("SELECT name FROM " + ch.name() + ".customers_current WHERE id = 1").trim()
                    .equals("still streaming"), 60, "the other tables keep streaming");
            assertThat(pipeline.failure()).isNull();
            ValidateCommand validate = ValidateCommand.run(h.writeConfig(work.resolve("pipeline.properties")));
            assertThat(validate.exit()).as("%s%s", validate.output(), validate.errors()).isEqualTo(1);
            assertThat(validate.output()).contains("public.orders -> clickhouse").contains("public.order_items -> "
                    + "elasticsearch").contains("the table is not in Postgres (dropped or renamed?): its copy keeps the "
                    + "30 rows it had").contains("public.customers -> clickhouse");
            assertThat(h.clickHouse("SELECT count() FROM " + ch.name() + ".orders_current").trim()).isEqualTo("30");
            h.assertNoDeadLetters();
            ReliabilityCase.badInput("A captured table renamed, another dropped, while the runner streams")
                    .expected("the other tables keep streaming; the copies keep what they had; bin/cdc validate "
                            + "names both tables as no longer in Postgres (exit 1) with what to do")
                    .observed("customers kept streaming; validate exit 1: 'the table is not in Postgres (dropped or "
                            + "renamed?): its copy keeps the 30 rows it had; drop the copy, or take the table out of "
                            + "table.include.list ...'").rowsCompared(20).record();
        }
    }

    private static PipelineHarness shop(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers (id, email, name) SELECT g, 'c' || g || '@x', 'n' || g FROM generate_series(1, 20) g",
                "INSERT INTO orders SELECT g, 1 + g % 20, 'new', g, timestamp '2026-01-01' FROM generate_series(1, 30) g",
                "INSERT INTO order_items SELECT g, l, 'sku', l FROM generate_series(1, 30) g, generate_series(1, 2) l");
        return h;
    }

    private static String alias(ElasticsearchTestIndex es, String table) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(es.url() + "/_alias/" + es.name()
                + "_" + table)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
