package io.cdcpipeline.sink.elasticsearch;

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
 * Buffers change records and writes them to Elasticsearch as versioned {@code _bulk} requests
 * ({@link ElasticsearchChangeSink}). A timer sends a request once it is {@code batch.linger.ms} old;
 * {@link #preCommit} sends what is left and reports only acknowledged offsets.
 */
public class ElasticsearchSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkTask.class);

    private ElasticsearchConnection connection;
    private ElasticsearchSinkMetrics metrics;
    private ElasticsearchChangeSink sink;
    private ScheduledExecutorService timer;

    @Override
    public String version() {
        return ElasticsearchSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
        connection = new ElasticsearchConnection(config);
        metrics = new ElasticsearchSinkMetrics(context == null ? null : context.pluginMetrics());
        sink = new ElasticsearchChangeSink(connection.client(), config, DeadLetters.of(context, LOG), metrics);
        long period = Math.max(20, Math.min(1_000, config.batchLingerMs() / 2));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "elasticsearch-sink-linger");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::flushIfDue, period, period, TimeUnit.MILLISECONDS);
        LOG.info("Elasticsearch sink writing to {}", config.urls());
    }

    private void flushIfDue() {
        try {
            sink.flushIfDue();
        } catch (RuntimeException e) {
            LOG.warn("Timed send failed: {}", e.getMessage());
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
