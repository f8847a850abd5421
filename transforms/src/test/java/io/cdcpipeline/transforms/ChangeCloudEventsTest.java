package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.TableId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Changes of ordinary tables as CloudEvents: one event per change, its id the same on every delivery. */
class ChangeCloudEventsTest {

    private static final Schema ROW = SchemaBuilder.struct().optional()
            .field("id", Schema.INT32_SCHEMA)
            .field("status", Schema.OPTIONAL_STRING_SCHEMA)
            .field("total", Decimal.builder(2).optional().build())
            .build();
    private static final Schema SOURCE = Envelopes.SOURCE;
    private static final Schema ENVELOPE = Envelopes.of(ROW);
    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    private static final long COMMIT_MS = 1_795_953_601_000L;

    private final ObjectMapper json = new ObjectMapper();

    private static ChangeCloudEvents<SinkRecord> transform(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(ChangeCloudEvents.TABLE_REGEX, "public\\.orders"));
        props.putAll(overrides);
        ChangeCloudEvents<SinkRecord> t = new ChangeCloudEvents<>();
        t.configure(props);
        return t;
    }

    @Test
    void anUpdateBecomesACloudEventWithBothRowsInItsData() throws Exception {
        SinkRecord event = transform(Map.of(ChangeCloudEvents.EVENT_TYPE, "com.example.${table}.${operation}"))
                .apply(change("orders", "u", 7, row(7, "placed", "12.50"), row(7, "paid", "12.50"), 4242L));

        ChangeEvent change = ChangeEvent.of(event);
        assertThat(change.operation()).isEqualTo(Operation.CREATE);
        assertThat(change.table()).isEqualTo(new TableId("public", "orders_events"));
        assertThat(change.sourceTable()).as("the event table is its own source: no snapshot of orders sweeps it")
                .isEqualTo(new TableId("public", "orders_events"));
        Struct cloudEvent = change.after();
        assertThat(cloudEvent.getString("id")).isEqualTo(((Struct) event.key()).getString("id"));
        assertThat(cloudEvent.getString("specversion")).isEqualTo("1.0");
        assertThat(cloudEvent.getString("source")).isEqualTo("/postgres/public/orders");
        assertThat(cloudEvent.getString("type")).isEqualTo("com.example.orders.updated");
        assertThat(cloudEvent.getString("subject")).isEqualTo("7");
        assertThat(cloudEvent.getString("time")).isEqualTo(Instant.ofEpochMilli(COMMIT_MS).toString());
        JsonNode data = json.readTree(cloudEvent.getString("data"));
        assertThat(data.path("op").asText()).isEqualTo("u");
        assertThat(data.path("before").path("status").asText()).isEqualTo("placed");
        assertThat(data.path("after").path("status").asText()).isEqualTo("paid");
        assertThat(data.path("after").path("total").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(cloudEvent.schema().field("data").schema().name()).isEqualTo("io.debezium.data.Json");
    }

    @Test
    void theSameChangeDeliveredAgainIsTheSameEventAndOtherChangesAreOthers() {
        ChangeCloudEvents<SinkRecord> t = transform(Map.of());
        String id = eventId(t.apply(change("orders", "c", 7, null, row(7, "placed", "1"), 100L)));
        assertThat(eventId(t.apply(change("orders", "c", 7, null, row(7, "placed", "1"), 100L)))).isEqualTo(id);
        assertThat(eventId(t.apply(change("orders", "u", 7, null, row(7, "paid", "1"), 101L)))).isNotEqualTo(id);
        assertThat(eventId(t.apply(change("orders", "c", 8, null, row(8, "placed", "1"), 100L)))).isNotEqualTo(id);
    }

    @Test
    void deletesAreEventsTombstonesTruncatesAndSnapshotReadsAreNotAndOtherTablesPass() throws Exception {
        ChangeCloudEvents<SinkRecord> t = transform(Map.of());
        SinkRecord deleted = t.apply(change("orders", "d", 7, row(7, null, null), null, 300L));
        Struct cloudEvent = ChangeEvent.of(deleted).after();
        assertThat(cloudEvent.getString("type")).isEqualTo("public.orders.deleted");
        assertThat(json.readTree(cloudEvent.getString("data")).path("after").isNull()).isTrue();
        assertThat(t.apply(new SinkRecord("pg.public.orders", 0, KEY, new Struct(KEY).put("id", 7), null, null, 5)))
                .as("the delete's tombstone").isNull();
        assertThat(t.apply(change("orders", "r", 7, null, row(7, "placed", "1"), 50L))).as("a snapshot read").isNull();
        assertThat(t.apply(change("orders", "t", 7, null, null, 60L))).as("a truncate").isNull();
        assertThat(ChangeEvent.of(transform(Map.of(ChangeCloudEvents.SNAPSHOT_READS, "emit"))
                .apply(change("orders", "r", 7, null, row(7, "placed", "1"), 50L))).after().getString("type"))
                .isEqualTo("public.orders.read");
        SinkRecord other = change("customers", "c", 1, null, row(1, "x", "1"), 70L);
        assertThat(t.apply(other)).as("a table the regex does not match").isSameAs(other);
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> transform(Map.of(ChangeCloudEvents.EVENT_TYPE, "${table}.${op}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown placeholder ${op}");
        assertThatThrownBy(() -> transform(Map.of(ChangeCloudEvents.SNAPSHOT_READS, "keep")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ChangeCloudEvents.SNAPSHOT_READS);
        assertThatThrownBy(() -> new ChangeCloudEvents<SinkRecord>().configure(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ChangeCloudEvents.TABLE_REGEX);
    }

    private static String eventId(SinkRecord event) {
        return ((Struct) event.key()).getString("id");
    }

    private static Struct row(int id, String status, String total) {
        return new Struct(ROW).put("id", id).put("status", status)
                .put("total", total == null ? null : new BigDecimal(total).setScale(2));
    }

    private static SinkRecord change(String table, String op, int id, Struct before, Struct after, long lsn) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", table).put("lsn", lsn)
                .put("txId", 9L).put("ts_ms", COMMIT_MS).put("snapshot", op.equals("r") ? "true" : "false");
        Struct value = new Struct(ENVELOPE).put("before", before).put("after", after).put("source", source)
                .put("op", op).put("ts_ms", COMMIT_MS + 5);
        return new SinkRecord("pg.public." + table, 0, KEY, new Struct(KEY).put("id", id), ENVELOPE, value, lsn);
    }
}
