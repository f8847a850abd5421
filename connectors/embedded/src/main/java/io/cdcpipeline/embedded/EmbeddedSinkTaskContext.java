package io.cdcpipeline.embedded;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * What a sink task sees of its runtime in the embedded runner. There are no Kafka partitions to rewind or pause:
 * the runner hands the task every record once per batch and retries the batch itself.
 */
final class EmbeddedSinkTaskContext implements SinkTaskContext {

    private final Map<String, String> config;
    private final ErrantRecordReporter deadLetters;
    private final PluginMetrics metrics;

    EmbeddedSinkTaskContext(Map<String, String> config, ErrantRecordReporter deadLetters, PluginMetrics metrics) {
        this.config = config;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return metrics;
    }

    @Override
    public Map<String, String> configs() {
        return config;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        // The source position lives in the runner's offset file, not in Kafka offsets.
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
    }

    @Override
    public void timeout(long timeoutMs) {
    }

    @Override
    public Set<TopicPartition> assignment() {
        return Set.of();
    }

    @Override
    public void pause(TopicPartition... partitions) {
    }

    @Override
    public void resume(TopicPartition... partitions) {
    }

    @Override
    public void requestCommit() {
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        return deadLetters;
    }
}
