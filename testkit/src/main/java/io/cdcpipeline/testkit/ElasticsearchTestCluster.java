package io.cdcpipeline.testkit;

import java.util.Arrays;
import java.util.List;

/**
 * The stack's two-node Elasticsearch cluster ({@code bin/cdc stack up --cluster}: nodes es-c1 and es-c2 of the
 * cluster {@code cdc-cluster}), started on first use, with a unique index name for one test; closing deletes every
 * index and alias that starts with it. Nodes are numbered from 1, as the stack names them
 * ({@code elasticsearch-c1}).
 */
public final class ElasticsearchTestCluster implements AutoCloseable {

    private final List<String> urls;
    private final String name;

    private ElasticsearchTestCluster(List<String> urls, String name) {
        this.urls = urls;
        this.name = name;
    }

    /** Starts the cluster if it is down (through {@code bin/cdc stack up --cluster}). */
    public static ElasticsearchTestCluster create() {
        String urls = ClickHouseTestCluster.clusterEnv("CDC_ES_CLUSTER_URLS").get("CDC_ES_CLUSTER_URLS");
        return new ElasticsearchTestCluster(Arrays.stream(urls.split(",")).map(String::trim).toList(),
                TestNames.unique("it"));
    }

    /** The unique index name (prefix) of the test. */
    public String name() {
        return name;
    }

    /** The HTTP URL of node {@code n}. */
    public String url(int n) {
        return urls.get(n - 1);
    }

    /** Every node's URL, separated by commas (the form of the sink's elasticsearch.urls). */
    public String urls() {
        return String.join(",", urls);
    }

    /** Sends a request to node {@code n} ({@code path} from the root, e.g. "/idx/_doc/1"); its answer (fails unless 2xx). */
    public String request(int n, String method, String path, String body) {
        return StackHttp.expectOk(method, url(n) + path, body);
    }

    /** Stops node {@code n}: cleanly, or with SIGKILL when {@code kill}. */
    public void stop(int n, boolean kill) {
        if (kill) {
            CdcCommand.require("stack", "stop", "elasticsearch-c" + n, "kill");
        } else {
            CdcCommand.require("stack", "stop", "elasticsearch-c" + n);
        }
    }

    /** Starts whatever node is down again and waits until the cluster answers. */
    public void restore() {
        CdcCommand.require("stack", "up");
    }

    @Override
    public void close() {
        StackHttp.expectOk("DELETE", url(1) + "/" + name + "*?expand_wildcards=all", null);
    }

    @Override
    public String toString() {
        return "elasticsearch cluster index " + name;
    }
}
