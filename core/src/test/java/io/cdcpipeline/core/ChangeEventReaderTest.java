package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class ChangeEventReaderTest {

    private static SinkRecord record(String topic, int partition, String op, Long lsn, String snapshot) {
        return Envelopes.record(topic, partition, "t", op, lsn, snapshot);
    }

    @Test
    void incrementalSnapshotReadsTakeTheLsnSeenLastOnTheirPartition() {
        ChangeEventReader reader = new ChangeEventReader();
        assertThat(reader.read(record("p.public.t", 0, "r", null, "incremental")).changeVersion())
                .as("nothing seen yet: fills gaps, never replaces").isZero();
        reader.read(record("p.public.t", 0, "u", 100L, "false"));
        reader.read(record("p.public.t", 1, "u", 500L, "false"));
        ChangeEvent read = reader.read(record("p.public.t", 0, "r", null, "incremental"));
        assertThat(read.changeVersion()).isEqualTo(200L);
        ChangeEvent later = reader.read(record("p.public.t", 0, "u", 101L, "false"));
        assertThat(later.changeVersion()).as("a later change wins").isGreaterThan(read.changeVersion());
        assertThat(ChangeEvent.of(record("p.public.t", 0, "u", 100L, "false")).changeVersion())
                .as("the change it was read after, at the same LSN, still wins the tie").isGreaterThan(read.changeVersion());
    }
}
