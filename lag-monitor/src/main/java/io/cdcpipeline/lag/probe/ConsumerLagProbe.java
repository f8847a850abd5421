package io.cdcpipeline.lag.probe;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Connect mode: how far each sink connector's consumer group is behind its topics, in records (log end offset minus
 * committed offset, summed per topic) and in seconds: the age of the oldest record it has not consumed (the
 * timestamp of the record at its committed offset, the oldest over the partitions that lag). Unlike an estimate from
 * the commit rate, that age keeps growing when the group stops committing, exactly when it matters.
 */
public final class ConsumerLagProbe implements AutoCloseable {

    /**
     * One group's lag: per topic in records, the total, and the age in seconds of its oldest unconsumed record (0 when
     * nothing waits; null when that record could not be read).
     */
    public record GroupLag(String group, Map<String, Long> recordsByTopic, long records, Double seconds) {
    }

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    /** Reads the records at committed offsets; no group of its own, commits nothing. */
    private final KafkaConsumer<byte[], byte[]> reader;

    public ConsumerLagProbe(String bootstrap) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
        this.reader = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public GroupLag read(String group, Instant now) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of()
                : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        Map<String, Long> byTopic = new LinkedHashMap<>();
        Map<TopicPartition, Long> waiting = new HashMap<>();
        long total = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            long end = ends.get(entry.getKey()).offset();
            long lag = Math.max(0, end - entry.getValue().offset());
            byTopic.merge(entry.getKey().topic(), lag, Long::sum);
            total += lag;
            if (lag > 0) {
                waiting.put(entry.getKey(), entry.getValue().offset());
            }
        }
        Instant oldest = waiting.isEmpty() ? null : oldestTimestamp(waiting);
        Double seconds = waiting.isEmpty() ? Double.valueOf(0.0)
                : oldest == null ? null : Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0);
        return new GroupLag(group, byTopic, total, seconds);
    }

    /** The oldest timestamp among the records at these offsets (the next ones the group would consume). */
    private Instant oldestTimestamp(Map<TopicPartition, Long> offsets) {
        reader.assign(offsets.keySet());
        offsets.forEach(reader::seek);
        Map<TopicPartition, Long> timestamps = new HashMap<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (timestamps.size() < offsets.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (timestamps.putIfAbsent(partition, record.timestamp()) == null) {
                    reader.pause(List.of(partition)); // only its first record counts
                }
            }
        }
        reader.unsubscribe();
        return timestamps.values().stream().min(Long::compare).map(Instant::ofEpochMilli).orElse(null);
    }

    /** The consumer groups Connect gives sink connectors: {@code connect-<connector name>}. */
    public static String groupOf(String connector) {
        return "connect-" + connector;
    }

    @Override
    public void close() {
        reader.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        admin.close(Duration.ofSeconds(5));
    }
}
