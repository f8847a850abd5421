package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.BufferingSinkTask;
import io.cdcpipeline.core.sink.DeadLetters;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers change records and writes them to ClickHouse in batches ({@link ClickHouseChangeSink}); see
 * {@link BufferingSinkTask} for when batches go and which offsets are reported.
 */
public class ClickHouseSinkTask extends BufferingSinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkTask.class);

    @Override
    public String version() {
        return ClickHouseSinkConnector.VERSION;
    }

    @Override
    protected Opened open(Map<String, String> props) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        // Servers often start alongside the pipeline: wait for ClickHouse with the same backoff as any retriable call.
        ClickHouseConnection connection = config.backoff().call("connecting to ClickHouse at " + config.url(),
                () -> ClickHouseConnection.open(config), ClickHouseFailure.retries(() -> { }));
        LOG.info("ClickHouse sink writing to {} (server {}, {} dialect), database {}", config.url(),
                connection.version(), connection.dialect().description(), config.database());
        ClickHouseSinkMetrics metrics = new ClickHouseSinkMetrics(context == null ? null : context.pluginMetrics());
        if (config.autoCreateDatabase()) {
            DatabaseCreator.create(connection, config);
        }
        ClickHouseChangeSink sink = new ClickHouseChangeSink(connection, config, DeadLetters.of(context, LOG), metrics);
        return new Opened(sink, config.batchLingerMs(), List.of(connection, metrics));
    }
}
