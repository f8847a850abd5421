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
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * Inserts into the stack's replicated cluster (two 18.16 replicas) whose answer is lost: the server wrote the rows,
 * the sink heard nothing, timed out and sent the batch again, to the same replica or to the other one. The
 * replicated table recognises the block and keeps one copy.
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
            ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
            List<SinkRecord> deadLetters = new ArrayList<>();
            try (ClickHouseConnection connection = ClickHouseConnection.open(config)) {
                ClickHouseChangeSink sink = new ClickHouseChangeSink(connection, config,
                        (record, reason) -> deadLetters.add(record), new ClickHouseSinkMetrics(null));
                sink.put(records);
                Map<TopicPartition, OffsetAndMetadata> all = new HashMap<>();
                SinkRecord last = records.get(records.size() - 1);
                all.put(new TopicPartition(last.topic(), last.kafkaPartition()), new OffsetAndMetadata(last.kafkaOffset() + 1));
                assertThat(sink.preCommit(all)).as("every record acknowledged").isEqualTo(all);
            }
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

    private static String expectedState(PostgresTestDatabase pg) throws Exception {
        try (var c = pg.connect(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*), sum(qty) FROM items")) {
            rs.next();
            return rs.getString(1) + "\t" + rs.getString(2);
        }
    }
}
