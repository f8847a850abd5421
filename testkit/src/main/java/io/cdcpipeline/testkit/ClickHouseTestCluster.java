package io.cdcpipeline.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The stack's replicated ClickHouse cluster ({@code bin/cdc stack up --cluster}: ZooKeeper and two replicas of one
 * shard, cluster {@code cdc}), started on first use, with a database of its own for one test made on every replica
 * and dropped when closed. Replicas are numbered from 1, as the stack names them ({@code clickhouse-r1}).
 */
public final class ClickHouseTestCluster implements AutoCloseable {

    private final String cluster;
    private final String shardedCluster;
    private final List<String> urls;
    private final String database;

    private ClickHouseTestCluster(String cluster, String shardedCluster, List<String> urls, String database) {
        this.cluster = cluster;
        this.shardedCluster = shardedCluster;
        this.urls = urls;
        this.database = database;
    }

    /** Starts the cluster if it is down (through {@code bin/cdc stack up --cluster}) and makes the test's database. */
    public static ClickHouseTestCluster create() {
        Map<String, String> env = clusterEnv("CDC_CH_CLUSTER_URLS");
        String name = env.get("CDC_CH_CLUSTER");
        List<String> urls = Arrays.stream(env.get("CDC_CH_CLUSTER_URLS").split(",")).map(String::trim).toList();
        String database = TestNames.unique("it");
        ClickHouseTestCluster cluster = new ClickHouseTestCluster(name, env.get("CDC_CH_SHARDED_CLUSTER"), urls, database);
        cluster.query(1, "CREATE DATABASE " + database + " ON CLUSTER " + name);
        return cluster;
    }

    /**
     * The stack's endpoints with the clusters among them: from the environment when it names {@code key}, else
     * from {@code bin/cdc stack env} after {@code bin/cdc stack up --cluster} (idempotent) has started them.
     */
    static Map<String, String> clusterEnv(String key) {
        if (System.getenv().containsKey(key)) {
            return System.getenv();
        }
        CdcCommand.require("stack", "up", "--cluster", "--for-tests");
        return StackLauncher.parseEnvLines(CdcCommand.require("stack", "env"));
    }

    public String name() {
        return cluster;
    }

    /**
     * The same servers as a cluster of one shard each ({@code cdc_sharded}): tables on it are sharded, each server
     * holding its own rows (their ZooKeeper path must then hold {replica}, not {shard}).
     */
    public String shardedName() {
        return shardedCluster;
    }

    public String database() {
        return database;
    }

    /** The HTTP URL of replica {@code n}. */
    public String url(int n) {
        return urls.get(n - 1);
    }

    /** Every replica's URL, separated by commas (the form of the sink's clickhouse.url). */
    public String urls() {
        return String.join(",", urls);
    }

    public int replicas() {
        return urls.size();
    }

    /** Runs a statement or query on replica {@code n}; the answer, trimmed (fails on an error). */
    public String query(int n, String sql) {
        return StackHttp.expectOk("POST", url(n) + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8), null)
                .trim();
    }

    /** Crashes replica {@code n} (SIGKILL). */
    public void kill(int n) {
        CdcCommand.require("stack", "stop", "clickhouse-r" + n, "kill");
    }

    /** Stops replica {@code n} cleanly. */
    public void stop(int n) {
        CdcCommand.require("stack", "stop", "clickhouse-r" + n);
    }

    /** Starts whatever replica is down again and waits until it answers. */
    public void restore() {
        CdcCommand.require("stack", "up");
    }

    /** Waits until replica {@code n} has fetched every part the others hold of the test's replicated tables. */
    public void syncReplica(int n, String table) {
        query(n, "SYSTEM SYNC REPLICA " + database + "." + table);
    }

    @Override
    public void close() {
        query(1, "DROP DATABASE IF EXISTS " + database + " ON CLUSTER " + cluster);
    }

    @Override
    public String toString() {
        return "clickhouse cluster " + cluster + " database " + database;
    }
}
