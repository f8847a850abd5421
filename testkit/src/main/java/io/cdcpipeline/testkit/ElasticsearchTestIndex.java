package io.cdcpipeline.testkit;

/**
 * A unique index name for one test on the stack's Elasticsearch node. The index is not created (tests create it
 * the way the code under test does); closing deletes every index and alias that starts with the name, which
 * covers versioned indices such as {@code name_v1} behind an alias {@code name}.
 */
public final class ElasticsearchTestIndex implements AutoCloseable {

    private final StackEndpoints stack;
    private final String name;

    private ElasticsearchTestIndex(StackEndpoints stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    public static ElasticsearchTestIndex create(StackEndpoints stack) {
        return new ElasticsearchTestIndex(stack, TestNames.unique("it"));
    }

    public String name() {
        return name;
    }

    public String url() {
        return stack.elasticsearchUrl();
    }

    @Override
    public void close() {
        StackHttp.expectOk("DELETE", stack.elasticsearchUrl() + "/" + name + "*?expand_wildcards=all", null);
    }

    @Override
    public String toString() {
        return "elasticsearch index " + name;
    }
}
