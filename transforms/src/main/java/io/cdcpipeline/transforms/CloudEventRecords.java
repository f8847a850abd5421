package io.cdcpipeline.transforms;

import io.cdcpipeline.core.RouteHeaders;
import io.cdcpipeline.core.TableId;
import java.time.Instant;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Headers;

/**
 * CloudEvents 1.0 (structured) as changes our sinks write: an insert of the event, keyed by its id, into an event
 * table whose change names the event table as its source table (so a snapshot of the table the events came from
 * never sweeps them). Shared by {@link OutboxEvents} and {@link ChangeCloudEvents}.
 */
final class CloudEventRecords {

    static final String SPEC_VERSION = "1.0";
    static final Schema KEY_SCHEMA = SchemaBuilder.struct().name("io.cdcpipeline.cloudevents.Key")
            .field("id", Schema.STRING_SCHEMA).build();
    static final String JSON = "io.debezium.data.Json";
    private static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";

    /** The schemas of the events made from changes whose envelope is of one schema. */
    record Schemas(Schema event, Schema envelope) {
    }

    /** The attributes of one event. */
    record Attributes(String id, String source, String type, String subject, String time, String dataContentType,
            String data) {
    }

    private CloudEventRecords() {
    }

    /** @param jsonData whether {@code data} is JSON text (kept as JSON: an object in Elasticsearch) */
    static Schemas schemas(Schema envelope, boolean jsonData) {
        SchemaBuilder data = SchemaBuilder.string().optional();
        if (jsonData) {
            data.name(JSON);
        }
        Schema event = SchemaBuilder.struct().name("io.cdcpipeline.cloudevents.CloudEvent").optional()
                .field("id", Schema.STRING_SCHEMA)
                .field("source", Schema.STRING_SCHEMA)
                .field("specversion", Schema.STRING_SCHEMA)
                .field("type", Schema.STRING_SCHEMA)
                .field("subject", Schema.OPTIONAL_STRING_SCHEMA)
                .field("time", SchemaBuilder.string().name(ZONED_TIMESTAMP).version(1).build())
                .field("datacontenttype", Schema.STRING_SCHEMA)
                .field("data", data.build())
                .build();
        SchemaBuilder out = SchemaBuilder.struct().name("io.cdcpipeline.cloudevents.Envelope")
                .field("before", event).field("after", event)
                .field("source", envelope.field("source").schema())
                .field("op", Schema.STRING_SCHEMA);
        if (envelope.field("ts_ms") != null) {
            out.field("ts_ms", envelope.field("ts_ms").schema());
        }
        return new Schemas(event, out.build());
    }

    /** The event as an insert into {@code target}, made from the change {@code value} of {@code record}. */
    static <R extends ConnectRecord<R>> R record(R record, Struct value, TableId target, Schemas shapes,
            Attributes attributes) {
        Struct event = new Struct(shapes.event())
                .put("id", attributes.id())
                .put("source", attributes.source())
                .put("specversion", SPEC_VERSION)
                .put("type", attributes.type())
                .put("subject", attributes.subject())
                .put("time", attributes.time())
                .put("datacontenttype", attributes.dataContentType())
                .put("data", attributes.data());
        Struct source = value.getStruct("source");
        Struct eventSourceBlock = new Struct(source.schema());
        for (Field field : source.schema().fields()) {
            eventSourceBlock.put(field, source.getWithoutDefault(field.name()));
        }
        eventSourceBlock.put("table", target.table());
        if (source.schema().field("snapshot") != null) {
            eventSourceBlock.put("snapshot", "false"); // an event, not a row of a snapshot of its table
        }
        Struct envelope = new Struct(shapes.envelope()).put("after", event).put("source", eventSourceBlock)
                .put("op", "c");
        if (value.schema().field("ts_ms") != null && shapes.envelope().field("ts_ms") != null) {
            envelope.put("ts_ms", value.get("ts_ms"));
        }
        Headers headers = record.headers().duplicate();
        RouteHeaders.set(headers, target);
        return record.newRecord(Topics.of(record.topic(), target), record.kafkaPartition(), KEY_SCHEMA,
                new Struct(KEY_SCHEMA).put("id", attributes.id()), shapes.envelope(), envelope, record.timestamp(),
                headers);
    }

    /** The commit time of a change in RFC 3339, from its source block. */
    static String commitTime(Struct source) {
        Object ts = source.schema().field("ts_ms") == null ? null : source.get("ts_ms");
        return ts instanceof Long ms ? Instant.ofEpochMilli(ms).toString() : Instant.EPOCH.toString();
    }
}
