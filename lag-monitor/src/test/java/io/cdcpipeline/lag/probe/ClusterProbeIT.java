package io.cdcpipeline.lag.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.ElasticsearchTestCluster;
import io.cdcpipeline.testkit.RealStack;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Freshness read from the stack's clusters: the heartbeat of a replicated ClickHouse table is read on every replica
 * (the newest any shows is the sink's, each replica's delay behind it is replication lag), and still read while a
 * replica is down; the Elasticsearch heartbeat is read from whichever node answers.
 */
@RealStack
class ClusterProbeIT {

    @Test
    void replicationDelayIsMeasuredAndADownReplicaDoesNotHideFreshness(ClickHouseTestCluster cluster) throws Exception {
        String table = cluster.database() + ".heartbeat";
        cluster.query(1, "CREATE TABLE " + table + " ON CLUSTER " + cluster.name() + " (id Int32, beat_ms Int64) "
                + "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" + cluster.database()
                + "/heartbeat', '{replica}') ORDER BY id");
        MonitorConfig.Sink sink = new MonitorConfig.Sink("analytics", MonitorConfig.Sink.Kind.CLICKHOUSE,
                cluster.url(1) + "," + cluster.url(2), cluster.database(), "heartbeat", null);
        SinkProbe probe = SinkProbe.of(sink, SinkHttp.of(sink));

        cluster.query(1, "INSERT INTO " + table + " VALUES (1, 1000000)");
        cluster.syncReplica(2, "heartbeat");
        assertThat(probe.newestHeartbeat()).isEqualTo(Instant.ofEpochMilli(1_000_000));
        assertThat(probe.replicaDelays()).containsEntry(cluster.url(1), Duration.ZERO)
                .containsEntry(cluster.url(2), Duration.ZERO);

        // Replica 2 stops fetching parts: the next heartbeat reaches replica 1 only.
        cluster.query(2, "SYSTEM STOP FETCHES " + table);
        try {
            cluster.query(1, "INSERT INTO " + table + " VALUES (1, 1042000)");
            assertThat(probe.newestHeartbeat()).isEqualTo(Instant.ofEpochMilli(1_042_000));
            assertThat(probe.replicaDelays()).containsEntry(cluster.url(1), Duration.ZERO)
                    .containsEntry(cluster.url(2), Duration.ofSeconds(42));
        } finally {
            cluster.query(2, "SYSTEM START FETCHES " + table);
        }

        cluster.stop(2);
        try {
            cluster.query(1, "INSERT INTO " + table + " VALUES (1, 1050000)");
            assertThat(probe.newestHeartbeat()).as("read from the replica that answers")
                    .isEqualTo(Instant.ofEpochMilli(1_050_000));
            assertThat(probe.replicaDelays()).containsEntry(cluster.url(1), Duration.ZERO)
                    .containsEntry(cluster.url(2), null);
        } finally {
            cluster.restore();
        }
    }

    @Test
    void theElasticsearchHeartbeatIsReadFromANodeThatAnswers(ElasticsearchTestCluster es) throws Exception {
        String index = es.name() + "_heartbeat";
        es.request(1, "PUT", "/" + index + "?wait_for_active_shards=all",
                "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":1}}");
        es.request(1, "PUT", "/" + index + "/_doc/1?refresh=true", "{\"beat_ms\": 2000000}");
        MonitorConfig.Sink sink = new MonitorConfig.Sink("search", MonitorConfig.Sink.Kind.ELASTICSEARCH,
                es.url(2) + "," + es.url(1), null, index, null);
        SinkProbe probe = SinkProbe.of(sink, SinkHttp.of(sink));
        assertThat(probe.newestHeartbeat()).isEqualTo(Instant.ofEpochMilli(2_000_000));
        es.stop(2, true);
        try {
            assertThat(probe.newestHeartbeat()).as("node 2 is down: read through node 1")
                    .isEqualTo(Instant.ofEpochMilli(2_000_000));
        } finally {
            es.restore();
        }
    }
}
