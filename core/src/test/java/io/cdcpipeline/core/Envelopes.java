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

    private static final Schema SIGNAL_KEY = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
    private static final Schema SIGNAL_ROW = SchemaBuilder.struct().optional().field("id", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA).field("data", SchemaBuilder.string().optional().build()).build();
    private static final Schema SIGNAL_ENVELOPE = SchemaBuilder.struct().field("before", SIGNAL_ROW)
            .field("after", SIGNAL_ROW).field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();

    /** An insert into Debezium's signal table {@code public.debezium_signal}. */
    public static SinkRecord signal(String type, String data, long lsn) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", "debezium_signal").put("lsn", lsn)
                .put("snapshot", "false");
        Struct row = new Struct(SIGNAL_ROW).put("id", "s1").put("type", type).put("data", data);
        Struct value = new Struct(SIGNAL_ENVELOPE).put("after", row).put("source", source).put("op", "c");
        return new SinkRecord("p.public.debezium_signal", 0, SIGNAL_KEY, new Struct(SIGNAL_KEY).put("id", "s1"),
                SIGNAL_ENVELOPE, value, 0);
    }
}
