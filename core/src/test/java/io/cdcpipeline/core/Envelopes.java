package io.cdcpipeline.core;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/** Minimal Debezium Postgres change records (key {@code id}, row {@code id}) for unit tests of the change model. */
public final class Envelopes {

    public static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA).build();
    static final Schema SOURCE = SchemaBuilder.struct()
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("lsn", SchemaBuilder.int64().optional().build())
            .field("snapshot", SchemaBuilder.string().optional().build()).build();
    static final Schema ENVELOPE = SchemaBuilder.struct().field("before", ROW).field("after", ROW)
            .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();

    private Envelopes() {
    }

    /** A change of row 1 of {@code public.<table>}, as Debezium writes it. */
    public static SinkRecord record(String topic, int partition, String table, String op, Long lsn, String snapshot) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", table).put("lsn", lsn)
                .put("snapshot", snapshot);
        Struct value = new Struct(ENVELOPE).put("after", new Struct(ROW).put("id", 1)).put("source", source).put("op", op);
        return new SinkRecord(topic, partition, KEY, new Struct(KEY).put("id", 1), ENVELOPE, value, 0);
    }
}
