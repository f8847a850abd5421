package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.sink.BufferingSinkTask;
import io.cdcpipeline.core.sink.DeadLetters;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers change records and writes them to Elasticsearch as versioned {@code _bulk} requests
 * ({@link ElasticsearchChangeSink}); see {@link BufferingSinkTask} for when requests go and which offsets are
 * reported.
 */
public class ElasticsearchSinkTask extends BufferingSinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkTask.class);

    @Override
    public String version() {
        return ElasticsearchSinkConnector.VERSION;
    }

    @Override
    protected Opened open(Map<String, String> props) {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
        ElasticsearchConnection connection = new ElasticsearchConnection(config);
        ElasticsearchSinkMetrics metrics = new ElasticsearchSinkMetrics(context == null ? null : context.pluginMetrics());
        ElasticsearchChangeSink sink = new ElasticsearchChangeSink(connection, config,
                DeadLetters.of(context, LOG), metrics);
        LOG.info("Elasticsearch sink writing to {}", config.urls());
        return new Opened(sink, config.batchLingerMs(), List.of(connection, metrics));
    }
}
