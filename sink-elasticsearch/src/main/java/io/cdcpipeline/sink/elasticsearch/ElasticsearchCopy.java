package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.consistency.SinkCopy;
import java.util.Map;

/** The Elasticsearch sink's copy, opened from its connector config, for checks from outside the sink task. */
public final class ElasticsearchCopy {

    private ElasticsearchCopy() {
    }

    /** Opens the copy a sink with this config writes; a bad config throws Kafka's ConfigException naming the key. */
    public static SinkCopy open(Map<String, String> sinkConfig) {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(sinkConfig);
        ElasticsearchConnection connection = new ElasticsearchConnection(config);
        BulkSender sender = new BulkSender(new RestBulkTransport(connection.restClient(), config.waitForActiveShards()), config.backoff(), new ElasticsearchSinkMetrics(null));
        StaleDocuments documents = new StaleDocuments(connection.client(), config, sender);
        return SinkCopy.of(documents, documents, new ElasticsearchChecksums(connection.restClient()),
                documents::existingAlias, connection::close);
    }
}
