package io.cdcpipeline.core.sink;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What a buffering sink task may report to {@code preCommit}: the offsets it has accepted from {@code put}, and of
 * those the ones its target has acknowledged. Offsets are those of the partitions Connect consumed from, even when a
 * transform renamed the topic. Not thread-safe: guard it with the task's own lock.
 */
public final class OffsetTracker {

    private final Map<TopicPartition, Long> accepted = new HashMap<>();
    private final Map<TopicPartition, Long> acknowledged = new HashMap<>();
    /** Nothing accepted is waiting: every record handed to put so far is written, dead-lettered or was filtered. */
    private boolean allWritten = true;

    /** Notes the next offset to read of every partition in {@code records}. */
    public void accepted(Collection<SinkRecord> records) {
        if (!records.isEmpty()) {
            allWritten = false;
        }
        String topic = null;
        Integer partition = null;
        long next = -1;
        for (SinkRecord record : records) {
            if (!record.originalTopic().equals(topic) || !record.originalKafkaPartition().equals(partition)) {
                if (topic != null) {
                    accepted.merge(new TopicPartition(topic, partition), next, Math::max);
                }
                topic = record.originalTopic();
                partition = record.originalKafkaPartition();
                next = -1;
            }
            next = Math.max(next, record.originalKafkaOffset() + 1);
        }
        if (topic != null) {
            accepted.merge(new TopicPartition(topic, partition), next, Math::max);
        }
    }

    /** Everything accepted so far is now durable in the target (or dead-lettered). */
    public void acknowledgeAccepted() {
        acknowledged.putAll(accepted);
        allWritten = true;
    }

    /**
     * The offsets of {@code current} that may be committed: never past what was acknowledged, except that when
     * everything accepted is written all of {@code current} may be: records a transform dropped before they reached
     * the sink never show up in {@link #accepted}, yet they are done too.
     */
    public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, OffsetAndMetadata> current) {
        if (allWritten) {
            return new HashMap<>(current);
        }
        Map<TopicPartition, OffsetAndMetadata> committable = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : current.entrySet()) {
            Long acked = acknowledged.get(entry.getKey());
            if (acked != null) {
                committable.put(entry.getKey(), new OffsetAndMetadata(Math.min(acked, entry.getValue().offset())));
            }
        }
        return committable;
    }

    /** Partitions taken away from the task (a rebalance): nothing more to report for them. */
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tp -> {
            accepted.remove(tp);
            acknowledged.remove(tp);
        });
    }
}
