package io.cdcpipeline.core;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Reads change events in the order a sink task receives them, and gives the reads of a Debezium incremental
 * snapshot (which carry no LSN) their place in the stream: the LSN of the newest change seen before them on the same
 * partition.
 * <p>
 * Why that is a safe version: Debezium emits a chunk when the stream reaches the chunk's high watermark, after
 * dropping every row that changed between the watermarks. A row's value in the chunk is therefore its value as of
 * its last change before the window, which was streamed earlier on the same partition (changes of one key share a
 * partition), so its LSN is at most the one seen last; and any later change of the row comes after the high
 * watermark, so its LSN is higher. As a snapshot read the version is {@code 2 * lsn}, losing a tie to a streamed
 * change at that LSN. Before any change was seen on a partition the read gets LSN 0: it fills what is missing and
 * never replaces a stored version.
 * <p>
 * One reader per sink task; not thread-safe.
 */
public final class ChangeEventReader {

    private record Partition(String topic, Integer partition) {
    }

    private final Map<Partition, Long> lastLsn = new HashMap<>();

    public ChangeEvent read(SinkRecord record) {
        ChangeEvent event = ChangeEvent.of(record);
        Partition partition = new Partition(record.originalTopic(), record.originalKafkaPartition());
        if (event.isUnplacedIncrementalRead()) {
            return event.atLsn(lastLsn.getOrDefault(partition, 0L));
        }
        if (event.operation() != Operation.TOMBSTONE) {
            lastLsn.merge(partition, event.lsn(), Math::max);
        }
        return event;
    }
}
