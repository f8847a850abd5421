package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ElasticsearchTestCluster;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The sink on the stack's two-node Elasticsearch cluster, an index's shards (per-table settings) on both nodes: one
 * node stops mid-stream, and the writes that need it (its shards' only copies, or with wait.for.active.shards=all
 * every replica) pause (retried, nothing acknowledged that is not written, nothing dead-lettered) and resume when it
 * is back, and every change lands.
 */
@RealStack
class ElasticsearchClusterIT {

    @Test
    void writesToTheShardsOfAStoppedNodeWaitForItAndLoseNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestCluster es) throws Exception {
        List<SinkRecord> records = writesWaitWhileANodeIsDown(stack, pg, es, 0, "1");
        ReliabilityCase.fault("Elasticsearch cluster: a node holding primaries (no replicas) stopped mid-stream")
                .expected("writes to its shards wait (retried, not acknowledged, nothing dead-lettered) and "
                        + "resume when it is back; every change lands")
                .observed("no acknowledgement for 15 s while the node was down; all " + records.size()
                        + " records acknowledged after it came back; document count equal to Postgres")
                .rowsCompared(records.size()).record();
    }

    /**
     * With a replica of every shard, writes could go on with one node; wait.for.active.shards=all makes them wait
     * for the replicas too, so no change is acknowledged while only one node holds it.
     */
    @Test
    void waitingForAllShardCopiesHoldsWritesWhileAReplicaIsMissing(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestCluster es) throws Exception {
        List<SinkRecord> records = writesWaitWhileANodeIsDown(stack, pg, es, 1, "all");
        ReliabilityCase.fault("Elasticsearch cluster: a node stopped with wait.for.active.shards=all (one replica)")
                .expected("writes wait until every shard copy is active again; every change lands")
                .observed("no acknowledgement for 15 s while the node was down; all " + records.size()
                        + " records acknowledged after it came back")
                .rowsCompared(records.size()).record();
    }

    /** Writes half the records, stops node 2, writes the rest: nothing acknowledged for 15 s, all once it is back. */
    private static List<SinkRecord> writesWaitWhileANodeIsDown(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestCluster es, int replicas, String waitForActiveShards) throws Exception {
        List<SinkRecord> records = ElasticsearchSinkIT.captureItems(stack, pg);
        Map<String, String> props = new HashMap<>();
        props.put(ElasticsearchSinkConfig.URLS, es.urls());
        props.put(ElasticsearchSinkConfig.INDEX_NAME_FORMAT, es.name() + "_${table}");
        props.put(ElasticsearchSinkConfig.OVERRIDE_PREFIX + "public.items.settings",
                "{\"number_of_shards\": 4, \"number_of_replicas\": " + replicas + "}");
        props.put(ElasticsearchSinkConfig.WAIT_FOR_ACTIVE_SHARDS, waitForActiveShards);
        props.put(ElasticsearchSinkConfig.BATCH_MAX_ACTIONS, "100");
        props.put(ElasticsearchSinkConfig.RETRY_MAX_ATTEMPTS, "100");
        props.put(ElasticsearchSinkConfig.RETRY_BACKOFF_MAX_MS, "2000");
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
        List<Throwable> deadLetters = new ArrayList<>();
        int half = records.size() / 2;
        try (ElasticsearchConnection connection = new ElasticsearchConnection(config);
                ElasticsearchChangeSink sink = new ElasticsearchChangeSink(connection, config,
                        (record, reason) -> deadLetters.add(reason), new ElasticsearchSinkMetrics(null))) {
            sink.put(records.subList(0, half));
            Map<TopicPartition, OffsetAndMetadata> first = EsHarness.offsetsAfter(records.subList(0, half));
            assertThat(sink.preCommit(first)).isEqualTo(first);
            String index = es.name() + "_items";
            String shards = es.request(1, "GET", "/_cat/shards/" + index + "?h=prirep,node", null);
            assertThat(shards).as("shard copies on both nodes").contains("es-c1").contains("es-c2");
            if (replicas == 0) {
                assertThat(shards).as("primaries only").doesNotContain("r ");
            }

            es.stop(2, false);
            Map<TopicPartition, OffsetAndMetadata> all = EsHarness.offsetsAfter(records);
            CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> rest;
            try {
                rest = CompletableFuture.supplyAsync(() -> {
                    sink.put(records.subList(half, records.size()));
                    return sink.preCommit(all);
                });
                Thread.sleep(15_000);
                assertThat(rest).as("writes to the stopped node's shards wait").isNotDone();
            } finally {
                es.restore();
            }
            assertThat(rest.get(180, TimeUnit.SECONDS)).as("every record acknowledged once the node is back")
                    .isEqualTo(all);
            assertThat(deadLetters).isEmpty();
            connection.client().indices().refresh(r -> r.index(index));
            assertThat(connection.client().count(c -> c.index(index)).count())
                    .isEqualTo(ElasticsearchSinkIT.countRows(pg));
        }
        return records;
    }
}
