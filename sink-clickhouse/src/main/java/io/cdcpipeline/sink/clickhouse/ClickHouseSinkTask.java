package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.DeadLetters;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch to ClickHouse before {@link #put} returns, so every offset Connect commits afterwards is
 * already durable in ClickHouse: a crash means redelivery, never loss, and redelivery is harmless because writes
 * are versioned.
 */
public class ClickHouseSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkTask.class);

    private ClickHouseServer server;
    private ChangeWriter writer;

    @Override
    public String version() {
        return ClickHouseSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        server = ClickHouseServer.connect(config);
        LOG.info("ClickHouse sink writing to {} (server {}, {} dialect), database {}", config.url(), server.version(),
                server.dialect().getClass().getSimpleName(), config.database());
        writer = new ChangeWriter(server, config, DeadLetters.of(context, LOG));
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (!records.isEmpty()) {
            writer.write(records);
        }
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // Nothing is buffered between puts.
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
