package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.DeadLetters;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers change records and writes them to ClickHouse in batches ({@link ClickHouseChangeSink}). A timer flushes
 * a batch once it is {@code batch.linger.ms} old even when no new records arrive; {@link #preCommit} flushes what is
 * left and reports only offsets whose rows ClickHouse acknowledged, so a crash means redelivery, never loss.
 */
public class ClickHouseSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkTask.class);

    private ClickHouseConnection connection;
    private ClickHouseSinkMetrics metrics;
    private ClickHouseChangeSink sink;
    private ScheduledExecutorService timer;

    @Override
    public String version() {
        return ClickHouseSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        // Servers often start alongside the pipeline: wait for ClickHouse with the same backoff as any retriable call.
        connection = config.backoff().call("connecting to ClickHouse at " + config.url(),
                () -> HttpClickHouseConnection.open(config), failure -> { });
        LOG.info("ClickHouse sink writing to {} (server {}, {} dialect), database {}", config.url(),
                connection.version(), connection.dialect().description(), config.database());
        metrics = new ClickHouseSinkMetrics(context == null ? null : context.pluginMetrics());
        sink = new ClickHouseChangeSink(connection, config, DeadLetters.of(context, LOG), metrics);
        long period = Math.max(50, Math.min(1_000, config.batchLingerMs() / 2));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "clickhouse-sink-linger");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::flushIfDue, period, period, TimeUnit.MILLISECONDS);
    }

    private void flushIfDue() {
        try {
            sink.flushIfDue();
        } catch (RuntimeException e) {
            // The next put or preCommit meets the same failure on the task's own thread and reports it there.
            LOG.warn("Timed flush failed: {}", e.getMessage());
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        sink.put(records);
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        return sink.preCommit(currentOffsets);
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        sink.forget(partitions);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (sink != null) {
            sink.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (connection != null) {
            connection.close();
        }
    }
}
