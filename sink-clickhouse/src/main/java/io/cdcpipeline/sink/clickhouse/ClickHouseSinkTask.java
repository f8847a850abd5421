package io.cdcpipeline.sink.clickhouse;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
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
        ErrantRecordReporter reporter = context == null ? null : context.errantRecordReporter();
        writer = new ChangeWriter(server, config, (record, reason) -> {
            if (reporter == null) {
                throw new ConnectException("no dead-letter path is configured and a record cannot be written: "
                        + reason.getMessage(), reason);
            }
            LOG.warn("Dead-lettering {}: {}", io.cdcpipeline.core.ChangeEvent.describe(record), reason.getMessage());
            try {
                reporter.report(record, reason).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("interrupted while dead-lettering a record", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new ConnectException("dead-lettering a record failed: " + e.getCause().getMessage(), e.getCause());
            }
        });
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
