package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class ChangeEventReaderTest {

    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA).build();
    private static final Schema SOURCE = SchemaBuilder.struct()
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("lsn", SchemaBuilder.int64().optional().build())
            .field("snapshot", SchemaBuilder.string().optional().build()).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().field("before", ROW).field("after", ROW)
            .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();

    private static SinkRecord record(String topic, int partition, String op, Long lsn, String snapshot) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", "t").put("lsn", lsn)
                .put("snapshot", snapshot);
        Struct value = new Struct(ENVELOPE).put("after", new Struct(ROW).put("id", 1)).put("source", source).put("op", op);
        return new SinkRecord(topic, partition, KEY, new Struct(KEY).put("id", 1), ENVELOPE, value, 0);
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
