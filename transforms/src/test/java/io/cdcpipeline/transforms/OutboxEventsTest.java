package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.RouteHeaders;
import io.cdcpipeline.core.TableId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The outbox's rows as CloudEvents in one event table per aggregate type; deletes and updates are no events. */
class OutboxEventsTest {

    private static final Schema ROW = SchemaBuilder.struct().optional()
            .field("id", SchemaBuilder.string().name("io.debezium.data.Uuid").build())
            .field("aggregatetype", Schema.STRING_SCHEMA)
            .field("aggregateid", Schema.STRING_SCHEMA)
            .field("type", Schema.STRING_SCHEMA)
            .field("payload", SchemaBuilder.string().optional().name("io.debezium.data.Json").build())
            .field("created_at", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build())
            .build();
    private static final Schema SOURCE = Envelopes.SOURCE;
    private static final Schema ENVELOPE = Envelopes.of(ROW);
    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).build();
    private static final String EVENT_ID = "7d0c8a4e-2f1b-4c3d-9e8f-0a1b2c3d4e5f";
    /** 2026-11-29T12:00:00.123456Z in microseconds. */
    private static final long CREATED_US = 1_795_953_600_123_456L;

    private final OutboxEvents<SinkRecord> transform = transform(Map.of());

    private static OutboxEvents<SinkRecord> transform(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(overrides);
        OutboxEvents<SinkRecord> t = new OutboxEvents<>();
        t.configure(props);
        return t;
    }

    @Test
    void anInsertIntoTheOutboxBecomesACloudEventInTheEventTableOfItsAggregateType() {
        SinkRecord event = transform.apply(outbox("c", "order", "OrderCreated", "false", 4242L));

        ChangeEvent change = ChangeEvent.of(event);
        assertThat(change.operation()).isEqualTo(Operation.CREATE);
        assertThat(change.table()).isEqualTo(new TableId("public", "order_events"));
        assertThat(change.sourceTable()).as("the event table is its own source: no outbox snapshot sweeps it")
                .isEqualTo(new TableId("public", "order_events"));
        assertThat(RouteHeaders.target(event)).isEqualTo(new TableId("public", "order_events"));
        assertThat(event.topic()).isEqualTo("pg.public.order_events");
        assertThat(change.changeVersion()).as("versioned by the outbox insert's LSN").isEqualTo(4242L * 2 + 1);
        assertThat(((Struct) event.key()).getString("id")).isEqualTo(EVENT_ID);

        Struct cloudEvent = change.after();
        assertThat(cloudEvent.getString("id")).isEqualTo(EVENT_ID);
        assertThat(cloudEvent.getString("specversion")).isEqualTo("1.0");
        assertThat(cloudEvent.getString("source")).isEqualTo("/postgres/public/outbox_events");
        assertThat(cloudEvent.getString("type")).isEqualTo("OrderCreated");
        assertThat(cloudEvent.getString("subject")).isEqualTo("order-17");
        assertThat(cloudEvent.getString("time")).as("the commit time without a time column")
                .isEqualTo(Instant.ofEpochMilli(1_795_953_601_000L).toString());
        assertThat(cloudEvent.getString("datacontenttype")).isEqualTo("application/json");
        assertThat(cloudEvent.getString("data")).isEqualTo("{\"total\": 12.5}");
        assertThat(cloudEvent.schema().field("data").schema().name()).as("jsonb stays JSON")
                .isEqualTo("io.debezium.data.Json");
    }

    @Test
    void theMappingOfColumnsTypeAndTableIsConfigurable() {
        OutboxEvents<SinkRecord> configured = transform(Map.of(OutboxEvents.COLUMN_TIME, "created_at",
                OutboxEvents.EVENT_TYPE_PREFIX, "com.example.", OutboxEvents.TARGET_TABLE, "events_${aggregatetype}",
                OutboxEvents.EVENT_SOURCE, "//shop/${aggregatetype}"));
        SinkRecord event = configured.apply(outbox("r", "customer", "CustomerMoved", "last", 50L));

        ChangeEvent change = ChangeEvent.of(event);
        assertThat(change.table().table()).isEqualTo("events_customer");
        assertThat(change.operation()).as("a snapshot read of a row left in the outbox is an event like any")
                .isEqualTo(Operation.CREATE);
        assertThat(change.isBlockingSnapshotRead()).isFalse();
        assertThat(change.after().getString("type")).isEqualTo("com.example.CustomerMoved");
        assertThat(change.after().getString("source")).isEqualTo("//shop/customer");
        assertThat(change.after().getString("time")).isEqualTo("2026-11-29T12:00:00.123456Z");
    }

    @Test
    void deletesTombstonesAndUpdatesOfTheOutboxAreNoEventsAndOtherTablesPass() {
        assertThat(transform.apply(outbox("d", "order", "OrderCreated", "false", 1L))).isNull();
        assertThat(transform.apply(outbox("u", "order", "OrderCreated", "false", 1L))).isNull();
        assertThat(transform.apply(new SinkRecord("pg.public.outbox_events", 0, KEY,
                new Struct(KEY).put("id", EVENT_ID), null, null, 3))).as("the tombstone after a delete").isNull();

        SinkRecord other = outbox("c", "order", "OrderCreated", "false", 1L);
        ((Struct) other.value()).getStruct("source").put("table", "orders");
        assertThat(transform.apply(other)).isSameAs(other);
    }

    @Test
    void anAggregateTypeThatCannotNameATableOrAMissingColumnRefusesTheRecordNamingIt() {
        assertThatThrownBy(() -> transform.apply(outbox("c", "order-v2", "OrderCreated", "false", 9L)))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("record pg.public.outbox_events-0@7")
                .hasMessageContaining("aggregate type 'order-v2'").hasMessageContaining("letters, digits and _");
        OutboxEvents<SinkRecord> wrongColumn = transform(Map.of(OutboxEvents.COLUMN_EVENT_TYPE, "event_type"));
        assertThatThrownBy(() -> wrongColumn.apply(outbox("c", "order", "OrderCreated", "false", 9L)))
                .isInstanceOf(DataException.class).hasMessageContaining("no column 'event_type'");
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> transform(Map.of(OutboxEvents.TARGET_TABLE, "${tenant}_events")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown placeholder ${tenant}");
        assertThatThrownBy(() -> transform(Map.of(OutboxEvents.TABLE_REGEX, "outbox(")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a valid regular expression");
        assertThatThrownBy(() -> transform(Map.of(OutboxEvents.COLUMN_PAYLOAD, " ")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(OutboxEvents.COLUMN_PAYLOAD);
    }

    private static SinkRecord outbox(String op, String aggregateType, String type, String snapshot, long lsn) {
        Struct row = new Struct(ROW).put("id", EVENT_ID).put("aggregatetype", aggregateType)
                .put("aggregateid", "order-17").put("type", type).put("payload", "{\"total\": 12.5}")
                .put("created_at", CREATED_US);
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", "outbox_events").put("lsn", lsn)
                .put("txId", 77L).put("ts_ms", 1_795_953_601_000L).put("snapshot", snapshot);
        Struct value = new Struct(ENVELOPE).put("source", source).put("op", op).put("ts_ms", 1_795_953_601_500L);
        value.put(op.equals("d") ? "before" : "after", row);
        return new SinkRecord("pg.public.outbox_events", 0, KEY, new Struct(KEY).put("id", EVENT_ID), ENVELOPE, value,
                7);
    }
}
