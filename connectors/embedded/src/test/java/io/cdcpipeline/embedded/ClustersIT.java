package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.ElasticsearchTestCluster;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline into the stack's clusters under load: the replicated ClickHouse cluster (two 18.16 replicas of one
 * shard, ZooKeeper) and the two-node Elasticsearch cluster. The ClickHouse sink creates replicated tables on both
 * replicas, writes to the first and fails over to the second when the first is killed mid-stream, and applies a
 * source schema change while a replica is down (the down replica runs it when back); the Elasticsearch sink keeps
 * writing while a node is killed (a replica of every shard on the other). In the end both replicas and both nodes'
 * own copies equal Postgres, each change once.
 */
@RealStack
class ClustersIT {

    private static final List<String> TABLES = List.of("customers", "orders", "order_items");

    @Test
    void aKilledReplicaAndASchemaChangeWhileOneIsDownLoseNothingAndDoubleNothing(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestCluster cluster, ElasticsearchTestCluster es, @TempDir Path work)
            throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, cluster, es, work);
        h.sql(PipelineHarness.SCHEMA, "INSERT INTO customers (id, email) SELECT g, 'c' || g FROM generate_series(1, 50) g");
        h.extraConfig.put(RunnerConfig.RETRY_BACKOFF_MS, "500");
        h.extraConfig.put("sink.clickhouse.clickhouse.cluster.ddl.timeout.seconds", "10");
        h.extraConfig.put("sink.elasticsearch.index.settings", "{\"number_of_shards\": 2, \"number_of_replicas\": 1}");
        int committed;
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger orders = new AtomicInteger();
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> writeUntil(pg, stop, orders));
            try {
                awaitOrders(orders, 40);
                // Every table has rows now: each is replicated on both ClickHouse replicas, with its view, and each
                // index has two primaries and their replicas on the two Elasticsearch nodes.
                for (int replica = 1; replica <= 2; replica++) {
                    for (String table : TABLES) {
                        int r = replica;
                        Await.until(() -> "1".equals(cluster.query(r, "EXISTS TABLE " + cluster.database() + "."
                                + table)), 60, table + " on replica " + r);
                        assertThat(cluster.query(replica, "SELECT engine FROM system.tables WHERE database = '"
                                + cluster.database() + "' AND name = '" + table + "'"))
                                .as("engine of %s on replica %d", table, replica).isEqualTo("ReplicatedReplacingMergeTree");
                        assertThat(cluster.query(replica, "EXISTS TABLE " + cluster.database() + "." + table + "_current"))
                                .as("current-state view of %s on replica %d", table, replica).isEqualTo("1");
                    }
                }
                for (String table : TABLES) {
                    h.awaitElasticsearchShards(table, 4, 60); // two primaries and their replicas, on the two nodes
                }
                // The sink writes to replica 1 (the first URL): a crash of it mid-stream; and one of Elasticsearch.
                cluster.kill(1);
                es.stop(2, true);
                int atKill = orders.get();
                awaitOrders(orders, atKill + 60);
                // Once replica 1 has been down longer than its ZooKeeper session (6 s on the stack) the schema change
                // runs on replica 2 at once and waits in the DDL queue for replica 1 (see docs/clusters.md for a
                // change within that time on 18.16).
                Thread.sleep(8_000);
                h.sql("ALTER TABLE orders ADD COLUMN note text");
                int atAlter = orders.get();
                awaitOrders(orders, atAlter + 40);
                h.sql("UPDATE orders SET note = 'note ' || id WHERE id % 7 = 0");
                awaitOrders(orders, orders.get() + 20);
                assertThat(cluster.query(2, "SELECT count() FROM system.columns WHERE database = '" + cluster.database()
                        + "' AND table = 'orders' AND name = 'note'")).as("note on replica 2 while 1 is down")
                        .isEqualTo("1");
            } finally {
                cluster.restore();
            }
            for (String table : TABLES) {
                h.awaitElasticsearchShards(table, 4, 180);
            }
            awaitOrders(orders, orders.get() + 40);
            stop.set(true);
            load.get(60, TimeUnit.SECONDS);
            committed = orders.get();
            assertThat(committed).as("orders committed by the load").isGreaterThan(150);

            long compared = 0;
            for (int replica = 1; replica <= 2; replica++) {
                h.readClickHouseFrom(cluster.url(replica));
                for (String table : TABLES) {
                    cluster.syncReplica(replica, table);
                }
                h.readElasticsearchCopiesOf(es.url(replica));
                compared += h.awaitCopiesEqualSource(180);
                String notes = cluster.query(replica, "SELECT count() FROM " + cluster.database()
                        + ".orders_current WHERE note LIKE 'note %'");
                String expectedNotes = postgresCount(pg, "SELECT count(*) FROM orders WHERE note LIKE 'note %'");
                assertThat(notes).as("orders with a note on replica %d", replica).isEqualTo(expectedNotes);
                assertThat(es.request(replica, "GET", "/" + es.name() + "_orders/_count?q=note:note&preference=_only_local",
                        null)).as("orders with a note in node %d's copies", replica)
                        .contains("\"count\":" + expectedNotes + ",");
                for (String table : TABLES) {
                    // Raw rows, no FINAL: an insert retried on the other replica after the crash was deduplicated,
                    // so no version of a row is there twice.
                    String key = table.equals("order_items") ? "order_id, line" : "id";
                    assertThat(cluster.query(replica, "SELECT count() - uniqExact(" + key + ", _cdc_version) FROM "
                            + cluster.database() + "." + table)).as("doubled rows of %s on replica %d", table, replica)
                            .isEqualTo("0");
                }
            }
            assertThat(pipeline.failure()).as("the runner's failure").isNull();
            h.assertNoDeadLetters();
            // bin/cdc validate against the clusters: through the sinks' URL lists, then replica 2 and node 2 alone.
            ValidateCommand all = ValidateCommand.run(h.writeConfig(work.resolve("cluster.properties")));
            assertThat(all.exit()).as("validate through the clusters:\n%s\n%s", all.output(), all.errors()).isZero();
            h.extraConfig.put("sink.clickhouse.clickhouse.url", cluster.url(2));
            h.extraConfig.put("sink.elasticsearch.elasticsearch.urls", es.url(2));
            ValidateCommand second = ValidateCommand.run(h.writeConfig(work.resolve("replica-2.properties")));
            assertThat(second.exit()).as("validate replica 2 and node 2:\n%s\n%s", second.output(), second.errors())
                    .isZero();
            ReliabilityCase.fault("ClickHouse replica and Elasticsearch node killed (SIGKILL) mid-stream; schema "
                            + "change while they are down")
                    .expected("ClickHouse fails over to the other replica, the ALTER reaches the live replica at once "
                            + "and the killed one when back; Elasticsearch writes go on to the surviving copies; both "
                            + "replicas and both nodes equal Postgres; no row version twice")
                    .observed(committed + " load transactions; both replicas and both nodes' own shard copies equal "
                            + "Postgres (incl. the new column); 0 doubled row versions; no dead letters")
                    .rowsCompared(compared).record();
        }
    }

    private static String postgresCount(PostgresTestDatabase pg, String sql) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void awaitOrders(AtomicInteger orders, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (orders.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(orders.get()).as("orders committed by the load").isGreaterThanOrEqualTo(atLeast);
    }

    /** An order with two items and an update of a customer per transaction, every 40 ms; a delete now and then. */
    private static void writeUntil(PostgresTestDatabase pg, AtomicBoolean stop, AtomicInteger committed) {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            conn.setAutoCommit(false);
            for (int next = 1; !stop.get(); next++) {
                st.execute("INSERT INTO orders (id, customer_id, status, total, created_at) VALUES (" + next + ", "
                        + (1 + next % 50) + ", 'new', " + next + ", now())");
                st.execute("INSERT INTO order_items VALUES (" + next + ", 1, 'sku-a', 1), (" + next + ", 2, 'sku-b', 2)");
                st.execute("UPDATE customers SET name = 'order " + next + "' WHERE id = " + (1 + next % 50));
                if (next % 10 == 0) {
                    st.execute("DELETE FROM order_items WHERE order_id = " + (next - 5) + " AND line = 2");
                    st.execute("UPDATE orders SET status = 'paid' WHERE id = " + (next - 3));
                }
                conn.commit();
                committed.incrementAndGet();
                Thread.sleep(40);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the load failed", e);
        }
    }
}
