package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private static SinkRecord record(String topic, int partition, long offset) {
        return new SinkRecord(topic, partition, null, null, Schema.STRING_SCHEMA, "v", offset);
    }

    @Test
    void onlyAcknowledgedOffsetsAreCommittable() {
        OffsetTracker tracker = new OffsetTracker();
        TopicPartition a = new TopicPartition("a", 0);
        TopicPartition b = new TopicPartition("b", 1);
        tracker.accepted(List.of(record("a", 0, 4), record("a", 0, 5), record("b", 1, 9)));
        Map<TopicPartition, OffsetAndMetadata> current = Map.of(a, new OffsetAndMetadata(6), b, new OffsetAndMetadata(10));
        assertThat(tracker.committable(current)).isEmpty();

        tracker.acknowledgeAccepted();
        tracker.accepted(List.of(record("a", 0, 6)));
        assertThat(tracker.committable(Map.of(a, new OffsetAndMetadata(7), b, new OffsetAndMetadata(10))))
                .containsEntry(a, new OffsetAndMetadata(6)).containsEntry(b, new OffsetAndMetadata(10));

        tracker.forget(List.of(b));
        assertThat(tracker.committable(current)).containsOnlyKeys(a);
    }

    @Test
    void onceEverythingIsWrittenRecordsATransformDroppedAreDoneToo() {
        OffsetTracker tracker = new OffsetTracker();
        TopicPartition a = new TopicPartition("a", 0);
        tracker.accepted(List.of(record("a", 0, 4)));
        tracker.acknowledgeAccepted();
        // Connect consumed up to offset 9; records 5-8 were dropped by a transform before put.
        assertThat(tracker.committable(Map.of(a, new OffsetAndMetadata(9)))).containsEntry(a, new OffsetAndMetadata(9));
        tracker.accepted(List.of(record("a", 0, 9)));
        assertThat(tracker.committable(Map.of(a, new OffsetAndMetadata(10)))).containsEntry(a, new OffsetAndMetadata(5));
    }

    @Test
    void renamedTopicsAreTrackedByThePartitionConsumedFrom() {
        OffsetTracker tracker = new OffsetTracker();
        SinkRecord renamed = record("source", 2, 41).newRecord("renamed", 0, null, null, Schema.STRING_SCHEMA, "v", null);
        tracker.accepted(List.of(renamed));
        tracker.acknowledgeAccepted();
        assertThat(tracker.committable(Map.of(new TopicPartition("source", 2), new OffsetAndMetadata(42))))
                .containsEntry(new TopicPartition("source", 2), new OffsetAndMetadata(42));
    }
}
