package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestCluster;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zero-downtime rebuild of a table's Elasticsearch index under live writes: the running pipeline joins the new
 * index version, Debezium's incremental snapshot fills it, the alias moves atomically, searches answer with a full
 * index throughout, and in the end the index equals Postgres.
 */
@RealStack
class RebuildIT {

    @Test
    void rebuildUnderLiveWritesSwapsTheAliasWithoutDowntime(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        rebuildUnderLiveWrites(new PipelineHarness(stack, pg, ch, es, work), es.url(), es.name());
    }

    /**
     * The same on the stack's clusters: the new index gets the configured shards and replicas on the two-node
     * Elasticsearch cluster, the alias swap is seen by both nodes, and the ClickHouse sink writes the replicated
     * cluster meanwhile.
     */
    @Test
    void rebuildOnTheElasticsearchClusterSwapsTheAliasForEveryNode(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster ch, ElasticsearchTestCluster es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.extraConfig.put("sink.elasticsearch.index.override.public.orders.settings",
                "{\"number_of_shards\": 2, \"number_of_replicas\": 1}");
        rebuildUnderLiveWrites(h, es.url(1), es.name());
        String alias = es.name() + "_orders";
        h.awaitElasticsearchShards("orders", 4, 60); // the rebuilt index: two primaries and their replicas
        for (int node = 1; node <= 2; node++) {
            assertThat(es.request(node, "GET", "/_alias/" + alias, null)).as("the alias seen by node %d", node)
                    .contains(alias + "_v2").doesNotContain(alias + "_v1");
        }
        assertThat(es.request(2, "GET", "/" + alias + "_v2/_settings/index.number_of_replicas", null))
                .contains("\"number_of_replicas\":\"1\"");
    }

    private static void rebuildUnderLiveWrites(PipelineHarness h, String esUrl, String esName) throws Exception {
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada', 1.00, true, NULL, NULL)",
                "INSERT INTO orders SELECT g, 1, 'new', g * 1.25, timestamp '2026-01-01' + g * interval '1 second' "
                        + "FROM generate_series(1, 3000) g");
        h.extraConfig.put("source.incremental.snapshot.chunk.size", "500");

        String alias = esName + "_orders";
        HttpClient http = HttpClient.newHttpClient();
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);

            AtomicBoolean running = new AtomicBoolean(true);
            List<String> searchProblems = new CopyOnWriteArrayList<>();
            AtomicInteger searches = new AtomicInteger();
            Thread searcher = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + alias
                                + "/_count")).build(), HttpResponse.BodyHandlers.ofString());
                        String body = r.body();
                        long count = r.statusCode() == 200 ? Long.parseLong(body.replaceAll(".*\"count\":(\\d+).*", "$1")) : -1;
                        if (r.statusCode() != 200 || count < 3000) {
                            searchProblems.add(r.statusCode() + " " + body);
                        }
                        searches.incrementAndGet();
                        Thread.sleep(100);
                    } catch (Exception e) {
                        searchProblems.add(e.toString());
                    }
                }
            });
            Thread writer = new Thread(() -> {
                int next = 3001;
                while (running.get()) {
                    try {
                        h.sql("INSERT INTO orders VALUES (" + next + ", 1, 'live', 1.00, timestamp '2026-02-01')",
                                "UPDATE orders SET status = 'paid' WHERE id = " + (next % 3000 + 1));
                        next++;
                        Thread.sleep(20);
                    } catch (Exception e) {
                        searchProblems.add("writer: " + e);
                    }
                }
            });
            searcher.start();
            writer.start();
            String newIndex;
            try {
                newIndex = RebuildMain.rebuild(PipelineFile.parse(h.pipelineConfig()), "elasticsearch", "public.orders",
                        Duration.ofSeconds(180), false);
                Thread.sleep(1_000); // searches go on against the new index
            } finally {
                running.set(false);
                searcher.join();
                writer.join();
            }
            assertThat(newIndex).isEqualTo(alias + "_v2");
            HttpResponse<String> aliases = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/_alias/" + alias))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(aliases.body()).contains(alias + "_v2").doesNotContain(alias + "_v1");
            // the swap came from the sink saying that the rebuild's own snapshot is written, not from counts meeting
            HttpResponse<String> mapping = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + alias
                    + "_v2/_mapping")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(mapping.body()).containsPattern("\"cdc_rebuild_scanned\":\\{[^}]*\"snapshot\":\"rebuild-")
                    .containsPattern("\"cdc_rebuild_scanned\":\\{[^}]*\"status\":\"SUCCEEDED\"");
            assertThat(searchProblems).as("searches during the rebuild (%d made)", searches.get()).isEmpty();
            assertThat(searches.get()).isGreaterThan(10);

            h.awaitCopiesEqualSource(120); // the rebuilt index (through the alias) equals Postgres, as does ClickHouse
            assertThat(pipeline.failure()).isNull();
        }
    }
}
