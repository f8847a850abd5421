package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** SchemaChangeSignal over captured records, with a column added to the customers row as ALTER TABLE would. */
class SchemaChangeSignalTest {

    /** The record with its row schema as Debezium sends it after ALTER TABLE customers ADD COLUMN phone text. */
    static SinkRecord withPhoneColumn(SinkRecord record) {
        Struct envelope = (Struct) record.value();
        Struct after = envelope.getStruct("after");
        SchemaBuilder row = SchemaBuilder.struct().name(after.schema().name()).optional();
        after.schema().fields().forEach(f -> row.field(f.name(), f.schema()));
        Schema rowSchema = row.field("phone", Schema.OPTIONAL_STRING_SCHEMA).build();
        SchemaBuilder outer = SchemaBuilder.struct().name(envelope.schema().name());
        for (Field field : envelope.schema().fields()) {
            outer.field(field.name(), field.name().equals("after") || field.name().equals("before") ? rowSchema
                    : field.schema());
        }
        Schema envelopeSchema = outer.build();
        Struct newRow = new Struct(rowSchema);
        after.schema().fields().forEach(f -> newRow.put(f.name(), after.get(f)));
        newRow.put("phone", "+44 20 7946 0000");
        Struct value = new Struct(envelopeSchema);
        envelope.schema().fields().forEach(f -> value.put(f.name(), f.name().equals("after") ? newRow
                : f.name().equals("before") ? null : envelope.get(f)));
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                envelopeSchema, value, record.timestamp());
    }

    @Test
    void theFirstRecordAfterAChangeCarriesWhatChangedAndIsCounted() throws Exception {
        List<SinkRecord> records = CapturedDebeziumRecords.load();
        try (Metrics metrics = new Metrics()) {
            SchemaChangeSignal<SinkRecord> signal = new SchemaChangeSignal<>();
            signal.configure(Map.of());
            signal.withPluginMetrics(new PluginMetricsImpl(metrics, Map.of("connector", "test")));
            for (SinkRecord record : records) {
                assertThat(signal.apply(record).headers().lastWithName("cdc.schema.change")).as("no change yet").isNull();
            }
            SinkRecord changed = signal.apply(withPhoneColumn(records.get(0)));
            Header header = changed.headers().lastWithName("cdc.schema.change");
            assertThat(header.value()).isEqualTo("added: phone (string)");
            assertThat(changed.headers().lastWithName("cdc.schema.change.table").value()).isEqualTo("public.customers");
            SinkRecord again = signal.apply(withPhoneColumn(records.get(0)));
            assertThat(again.headers().lastWithName("cdc.schema.change")).as("an equal schema is no change").isNull();
            SinkRecord back = signal.apply(records.get(2));
            assertThat(back.headers().lastWithName("cdc.schema.change").value()).isEqualTo("removed: phone");
            Object total = metrics.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("schema-changes-total")).findFirst().orElseThrow()
                    .getValue().metricValue();
            assertThat(total).isEqualTo(2.0);
        }
    }

    @Test
    void firstSightIsMarkedOnlyWhenAsked() throws Exception {
        SchemaChangeSignal<SinkRecord> signal = new SchemaChangeSignal<>();
        signal.configure(Map.of(SchemaChangeSignal.SIGNAL_FIRST, "true"));
        SinkRecord first = signal.apply(CapturedDebeziumRecords.load().get(0));
        assertThat(first.headers().lastWithName("cdc.schema.change").value())
                .isEqualTo("first seen: id, email, name, balance, born, updated_at");
    }

    @Test
    void describesRetypedColumns() {
        assertThat(SchemaChangeSignal.describe(Map.of("qty", "int32"), Map.of("qty", "int64")))
                .isEqualTo("retyped: qty (int32 -> int64)");
        assertThat(SchemaChangeSignal.describe(Map.of("qty", "int32"), Map.of("qty", "int32"))).isNull();
    }

    @Test
    void schemalessRowsCompareByColumnNames() throws Exception {
        SchemaChangeSignal<SinkRecord> signal = new SchemaChangeSignal<>();
        signal.configure(Map.of());
        List<SinkRecord> records = CapturedDebeziumRecords.loadSchemaless();
        signal.apply(records.get(0));
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) ((Map<String, Object>) records.get(2).value()).get("after");
        after.remove("born");
        assertThat(signal.apply(records.get(2)).headers().lastWithName("cdc.schema.change").value())
                .isEqualTo("removed: born");
    }
}
