package io.cdcpipeline.testkit;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What a sink task that Connect gives a partition reads of it: the records from the partition's committed offset on,
 * for tests that play a rebalance between two tasks of a sink.
 */
public final class PartitionReplay {

    private PartitionReplay() {
    }

    /** The partition a record was read from. */
    public static TopicPartition partitionOf(SinkRecord record) {
        return new TopicPartition(record.topic(), record.kafkaPartition());
    }

    /** The offset after the last of {@code records}: what Connect hands preCommit once all of them were put. */
    public static long after(List<SinkRecord> records) {
        return records.get(records.size() - 1).kafkaOffset() + 1;
    }

    /** The records of {@code partition} at or after {@code committed}, from each of {@code taken} in order. */
    @SafeVarargs
    public static List<SinkRecord> from(TopicPartition partition, long committed, List<SinkRecord>... taken) {
        List<SinkRecord> read = new ArrayList<>();
        for (List<SinkRecord> records : taken) {
            records.stream().filter(r -> r.topic().equals(partition.topic())
                    && r.kafkaPartition() == partition.partition() && r.kafkaOffset() >= committed).forEach(read::add);
        }
        return read;
    }
}
