package io.cdcpipeline.lag.probe;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Connect mode: how far each sink connector's consumer group is behind its topics, in records (log end offset minus
 * committed offset, summed per topic) and as an estimate in seconds (records behind divided by the rate at which the
 * group committed offsets since the previous reading; unknown while it commits nothing).
 */
public final class ConsumerLagProbe implements AutoCloseable {

    /** One group's lag: per topic in records, the total, and the estimate in seconds (null when unknown). */
    public record GroupLag(String group, Map<String, Long> recordsByTopic, long records, Double seconds) {
    }

    private final Admin admin;
    private final Map<String, Long> lastCommitted = new HashMap<>();
    private final Map<String, Instant> lastRead = new HashMap<>();

    public ConsumerLagProbe(String bootstrap) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    public GroupLag read(String group, Instant now) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of()
                : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        Map<String, Long> byTopic = new LinkedHashMap<>();
        long total = 0;
        long committedSum = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            if (entry.getValue() == null) {
                continue;
            }
            long end = ends.get(entry.getKey()).offset();
            long lag = Math.max(0, end - entry.getValue().offset());
            byTopic.merge(entry.getKey().topic(), lag, Long::sum);
            total += lag;
            committedSum += entry.getValue().offset();
        }
        Double seconds = null;
        Long before = lastCommitted.put(group, committedSum);
        Instant then = lastRead.put(group, now);
        if (total == 0) {
            seconds = 0.0;
        } else if (before != null && then != null && committedSum > before) {
            double rate = (committedSum - before) / Math.max(0.001, Duration.between(then, now).toMillis() / 1000.0);
            seconds = total / rate;
        }
        return new GroupLag(group, byTopic, total, seconds);
    }

    /** The consumer groups Connect gives sink connectors: {@code connect-<connector name>}. */
    public static String groupOf(String connector) {
        return "connect-" + connector;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
