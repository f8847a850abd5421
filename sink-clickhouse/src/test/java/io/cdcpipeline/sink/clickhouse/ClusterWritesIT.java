package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * Inserts into the stack's replicated cluster (two 18.16 replicas) whose answer is lost: the server wrote the rows,
 * the sink heard nothing, timed out and sent the batch again, to the same replica or to the other one. The
 * replicated table recognises the block and keeps one copy. And the same servers as two shards: rows spread by key
 * through Distributed tables, each key on one shard, a schema change reaching both, a retried insert kept once.
 */
@RealStack
class ClusterWritesIT {

    @Test
    void anInsertRetriedOnTheSameReplicaAfterALostAnswerIsKeptOnce(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster cluster) throws Exception {
        retriedAfterALostAnswer(stack, pg, cluster, false);
    }

    @Test
    void anInsertRetriedOnTheOtherReplicaAfterALostAnswerIsKeptOnce(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster cluster) throws Exception {
        retriedAfterALostAnswer(stack, pg, cluster, true);
    }

    private static void retriedAfterALostAnswer(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster cluster, boolean failOver) throws Exception {
        List<SinkRecord> records = WritesIT.captureItems(stack, pg);
        try (AnswerLosingProxy proxy = new AnswerLosingProxy(cluster.url(1))) {
            Map<String, String> props = new HashMap<>();
            props.put(ClickHouseSinkConfig.URL, failOver ? proxy.url() + "," + cluster.url(2) : proxy.url());
            props.put(ClickHouseSinkConfig.CLUSTER, cluster.name());
            props.put(ClickHouseSinkConfig.DATABASE, cluster.database());
            props.put(ClickHouseSinkConfig.REQUEST_TIMEOUT_MS, "2000");
            props.put(ClickHouseSinkConfig.BATCH_MAX_ROWS, "100000");
            props.put(ClickHouseSinkConfig.RETRY_BACKOFF_MS, "100");
            List<SinkRecord> deadLetters = writeAll(props, records);
            assertThat(proxy.lostAnswers).as("answers of the server the sink never heard").hasSize(1)
                    .allMatch(answer -> answer.contains(" 200 "));
            assertThat(deadLetters).isEmpty();
            for (int replica = 1; replica <= 2; replica++) {
                cluster.syncReplica(replica, "items");
                // Raw rows, no FINAL and no merge: the block sent twice is there once.
                assertThat(cluster.query(replica, "SELECT count() FROM " + cluster.database() + ".items"))
                        .as("rows of items on replica %d (%d records, the batch sent twice)", replica, records.size())
                        .isEqualTo(String.valueOf(records.size()));
                assertThat(cluster.query(replica, "SELECT count(), sum(qty) FROM " + cluster.database()
                        + ".items_current")).as("current state on replica %d", replica).isEqualTo(expectedState(pg));
            }
            ReliabilityCase.fault("ClickHouse cluster: insert answer lost, batch sent again to "
                            + (failOver ? "the other replica" : "the same replica"))
                    .expected("the replicated table keeps one copy of the block; both replicas equal Postgres")
                    .observed("the server's 200 answer was dropped; the retry was deduplicated: " + records.size()
                            + " raw rows for " + records.size() + " records on both replicas")
                    .rowsCompared(records.size()).record();
        }
    }

    @Test
    void aShardedClusterKeepsEachKeyOnOneShardThroughDistributedTables(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster cluster) throws Exception {
        // 1000 inserts and 500 updates of items, then a column added and 100 updates that set it.
        List<SinkRecord> records = WritesIT.captureItems(stack, pg, List.of("ALTER TABLE items ADD COLUMN extra integer",
                "UPDATE items SET extra = id WHERE id > 900"), 100);
        try (AnswerLosingProxy proxy = new AnswerLosingProxy(cluster.url(1))) {
            Map<String, String> props = sharded(cluster, proxy.url());
            props.put(ClickHouseSinkConfig.HISTORY_TABLES, "public\\.items");
            props.put(ClickHouseSinkConfig.REQUEST_TIMEOUT_MS, "2000");
            props.put(ClickHouseSinkConfig.BATCH_MAX_ROWS, "100000");
            props.put(ClickHouseSinkConfig.RETRY_BACKOFF_MS, "100");
            List<SinkRecord> deadLetters = writeAll(props, records);
            assertThat(deadLetters).isEmpty();
            assertThat(proxy.lostAnswers).as("answers the sink never heard").isNotEmpty();
            String db = cluster.database();
            long raw = 0;
            for (int server = 1; server <= 2; server++) {
                assertThat(cluster.query(server, "SELECT engine FROM system.tables WHERE database = '" + db
                        + "' AND name = 'items'")).isEqualTo("Distributed");
                assertThat(cluster.query(server, "SELECT count() FROM system.columns WHERE database = '" + db
                        + "' AND name = 'extra' AND table IN ('items', 'items_local')"))
                        .as("the added column on both tables of server %d", server).isEqualTo("2");
                String keys = cluster.query(server, "SELECT uniqExact(id) FROM " + db + ".items_local");
                assertThat(Long.parseLong(keys)).as("keys on shard %d", server).isPositive();
                raw += Long.parseLong(cluster.query(server, "SELECT count() FROM " + db + ".items_local"));
                assertThat(cluster.query(server, "SELECT count(), sum(qty), sum(extra) FROM " + db + ".items_current"))
                        .as("current state through server %d", server).isEqualTo(expectedState(pg, true));
            }
            Set<String> first = Set.copyOf(List.of(cluster.query(1, "SELECT DISTINCT id FROM " + db
                    + ".items_local").split("\n")));
            Set<String> second = Set.copyOf(List.of(cluster.query(2, "SELECT DISTINCT id FROM " + db
                    + ".items_local").split("\n")));
            assertThat(first).as("keys on both shards").doesNotContainAnyElementsOf(second);
            assertThat(first.size() + second.size()).as("keys over the two shards").isEqualTo(1000);
            // Every version once: 1000 inserts, 500 updates, 100 updates after the column was added.
            assertThat(raw).as("row versions over both shards").isEqualTo(records.size());
            // The history, kept per shard from each shard's own inserts: every change once, the new column too.
            assertThat(cluster.query(1, "SELECT count(), countIf(extra > 0) FROM " + db + ".items_history"))
                    .as("history through the Distributed table").isEqualTo(records.size() + "\t100");
            for (int server = 1; server <= 2; server++) {
                assertThat(cluster.query(server, "SELECT uniqExact(id) FROM " + db + ".items_history_local"))
                        .as("history keys on shard %d: its own", server).isEqualTo(cluster.query(server,
                                "SELECT uniqExact(id) FROM " + db + ".items_local"));
            }
            ReliabilityCase.fault("ClickHouse sharded cluster (Distributed tables): insert answer lost, schema change")
                    .expected("each key on one shard, its history too; the new column on both shards; the block sent "
                            + "again kept once")
                    .observed(records.size() + " row versions over 2 shards for " + records.size() + " records, no key "
                            + "on both; current state equal to Postgres through either server")
                    .rowsCompared(records.size()).record();
        }
    }

    /** The settings of a sink writing to the stack's servers as two shards, through {@code url}. */
    static Map<String, String> sharded(ClickHouseTestCluster cluster, String url) {
        Map<String, String> props = new HashMap<>();
        props.put(ClickHouseSinkConfig.URL, url);
        props.put(ClickHouseSinkConfig.CLUSTER, cluster.shardedName());
        props.put(ClickHouseSinkConfig.CLUSTER_DISTRIBUTED, "true");
        // Each server is a shard of its own here: the path tells them apart by the replica macro.
        props.put(ClickHouseSinkConfig.CLUSTER_ZOOKEEPER_PATH, "/clickhouse/tables/{replica}/{database}/{table}");
        props.put(ClickHouseSinkConfig.DATABASE, cluster.database());
        return props;
    }

    /**
     * Writes the records through a sink of these settings as Connect would (put, then a commit asking for every
     * offset, which must be acknowledged); the records it dead-lettered.
     */
    private static List<SinkRecord> writeAll(Map<String, String> props, List<SinkRecord> records) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        List<SinkRecord> deadLetters = new ArrayList<>();
        try (ClickHouseConnection connection = ClickHouseConnection.open(config)) {
            ClickHouseChangeSink sink = new ClickHouseChangeSink(connection, config,
                    (record, reason) -> deadLetters.add(record), new ClickHouseSinkMetrics(null));
            sink.put(records);
            SinkRecord last = records.get(records.size() - 1);
            Map<TopicPartition, OffsetAndMetadata> all = Map.of(new TopicPartition(last.topic(), last.kafkaPartition()),
                    new OffsetAndMetadata(last.kafkaOffset() + 1));
            assertThat(sink.preCommit(all)).as("every record acknowledged").isEqualTo(all);
        }
        return deadLetters;
    }

    private static String expectedState(PostgresTestDatabase pg, boolean withExtra) throws Exception {
        try (var c = pg.connect(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*), sum(qty), coalesce(sum(extra), 0) FROM items")) {
            rs.next();
            return rs.getString(1) + "\t" + rs.getString(2) + (withExtra ? "\t" + rs.getString(3) : "");
        }
    }

    private static String expectedState(PostgresTestDatabase pg) throws Exception {
        try (var c = pg.connect(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*), sum(qty) FROM items")) {
            rs.next();
            return rs.getString(1) + "\t" + rs.getString(2);
        }
    }
}
