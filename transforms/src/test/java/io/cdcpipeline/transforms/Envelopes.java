package io.cdcpipeline.transforms;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/** Debezium's Postgres envelope, as far as the transforms' tests need it: the source block and the envelope of a row. */
final class Envelopes {

    static final Schema SOURCE = SchemaBuilder.struct()
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("lsn", SchemaBuilder.int64().optional().build()).field("txId", SchemaBuilder.int64().optional().build())
            .field("ts_ms", SchemaBuilder.int64().optional().build())
            .field("snapshot", SchemaBuilder.string().optional().build()).build();

    private Envelopes() {
    }

    static Schema of(Schema row) {
        return SchemaBuilder.struct().field("before", row).field("after", row).field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA).field("ts_ms", SchemaBuilder.int64().optional().build()).build();
    }
}
