package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** CdcNormalize over real Debezium 3.6 Postgres records (inserts, updates, a delete and its tombstone, a truncate). */
class CdcNormalizeTest {

    private static CdcNormalize<SinkRecord> normalize(Map<String, String> config) {
        CdcNormalize<SinkRecord> transform = new CdcNormalize<>();
        transform.configure(config);
        return transform;
    }

    @Test
    void flatRecordsCarryTheSameChangeAsTheEnvelope() throws Exception {
        CdcNormalize<SinkRecord> transform = normalize(Map.of());
        int compared = 0;
        for (SinkRecord record : CapturedDebeziumRecords.load()) {
            if (record.value() == null || ChangeEvent.of(record).operation() == Operation.TRUNCATE) {
                continue;
            }
            ChangeEvent envelope = ChangeEvent.of(record);
            SinkRecord flat = transform.apply(record);
            Struct value = (Struct) flat.value();
            value.validate();
            assertThat(value.schema().field("after")).as("no envelope left").isNull();
            ChangeEvent read = ChangeEvent.of(flat);
            assertThat(read.operation()).isEqualTo(envelope.operation());
            assertThat(read.table()).isEqualTo(envelope.table());
            assertThat(read.changeVersion()).as("the version sinks order by").isEqualTo(envelope.changeVersion());
            assertThat(read.sourceCommitTime().toEpochMilli()).isEqualTo(envelope.sourceCommitTime().toEpochMilli());
            assertThat(value.getBoolean(CdcFields.DELETED)).isEqualTo(envelope.isDelete());
            Struct row = envelope.isDelete() ? envelope.before() : envelope.after();
            for (Field field : row.schema().fields()) {
                assertThat(value.get(field.name())).as(field.name()).isEqualTo(row.get(field));
            }
            compared++;
        }
        assertThat(compared).isGreaterThanOrEqualTo(7);
    }

    /** Connect's Struct.get gives a field's default for a null: a NULL must come out NULL, not the column default. */
    @Test
    void aNullInAColumnWithADefaultStaysNull() throws Exception {
        SinkRecord insert = CapturedDebeziumRecords.load().stream().filter(r -> r.value() != null
                && ChangeEvent.of(r).operation() == Operation.CREATE && ChangeEvent.of(r).after().schema().fields()
                .stream().anyMatch(f -> f.schema().isOptional() && f.schema().type() == Schema.Type.STRING))
                .findFirst().orElseThrow();
        Struct envelope = (Struct) insert.value();
        Struct after = envelope.getStruct("after");
        Field withDefault = after.schema().fields().stream().filter(f -> f.schema().isOptional()
                && f.schema().type() == Schema.Type.STRING).findFirst().orElseThrow();
        SchemaBuilder row = SchemaBuilder.struct()
                .name(after.schema().name()).optional();
        for (Field f : after.schema().fields()) {
            row.field(f.name(), f == withDefault ? SchemaBuilder.string().optional()
                    .defaultValue("the default").build() : f.schema());
        }
        Schema rowSchema = row.build();
        SchemaBuilder outer = SchemaBuilder.struct()
                .name(envelope.schema().name());
        for (Field f : envelope.schema().fields()) {
            outer.field(f.name(), f.name().equals("after") || f.name().equals("before") ? rowSchema : f.schema());
        }
        Schema envelopeSchema = outer.build();
        Struct newAfter = new Struct(rowSchema);
        for (Field f : after.schema().fields()) {
            newAfter.put(f.name(), f == withDefault ? null : after.get(f));
        }
        Struct newEnvelope = new Struct(envelopeSchema);
        for (Field f : envelope.schema().fields()) {
            newEnvelope.put(f.name(), f.name().equals("after") ? newAfter
                    : f.name().equals("before") ? null : envelope.get(f));
        }
        SinkRecord withNull = insert.newRecord(insert.topic(), insert.kafkaPartition(), insert.keySchema(),
                insert.key(), envelopeSchema, newEnvelope, insert.timestamp());
        Struct flat = (Struct) normalize(Map.of()).apply(withNull).value();
        assertThat(flat.getWithoutDefault(withDefault.name())).as(withDefault.name()).isNull();
    }

    @Test
    void deletesAndTombstonesComeOutAsConfigured() throws Exception {
        List<SinkRecord> records = CapturedDebeziumRecords.load();
        SinkRecord delete = records.stream().filter(r -> r.value() != null && ChangeEvent.of(r).isDelete()).findFirst()
                .orElseThrow();
        SinkRecord tombstone = records.stream().filter(r -> r.value() == null).findFirst().orElseThrow();

        assertThat(normalize(Map.of(CdcNormalize.DELETE_HANDLING, "drop")).apply(delete)).isNull();
        SinkRecord asTombstone = normalize(Map.of(CdcNormalize.DELETE_HANDLING, "tombstone")).apply(delete);
        assertThat(asTombstone.value()).isNull();
        assertThat(asTombstone.key()).isEqualTo(delete.key());

        assertThat(normalize(Map.of()).apply(tombstone)).isSameAs(tombstone);
        assertThat(normalize(Map.of(CdcNormalize.TOMBSTONES, "drop")).apply(tombstone)).isNull();
    }

    @Test
    void recordsThatAreNotEnvelopesPassOrFailAsConfigured() {
        SinkRecord plain = new SinkRecord("t", 0, null, null, Schema.STRING_SCHEMA, "hello", 7);
        assertThat(normalize(Map.of()).apply(plain)).isSameAs(plain);
        assertThatThrownBy(() -> normalize(Map.of(CdcNormalize.ON_NON_ENVELOPE, "fail")).apply(plain))
                .isInstanceOf(DataException.class).hasMessageContaining("t-0@7").hasMessageContaining("envelope");
    }

    @Test
    void badSettingsFailAtConfiguration() {
        assertThatThrownBy(() -> normalize(Map.of(CdcNormalize.DELETE_HANDLING, "keep")))
                .hasMessageContaining(CdcNormalize.DELETE_HANDLING);
    }

    @Test
    void schemalessEnvelopesFlattenToMapsWithTheSameMetadata() throws Exception {
        List<SinkRecord> withSchemas = CapturedDebeziumRecords.load();
        List<SinkRecord> schemaless = CapturedDebeziumRecords.loadSchemaless();
        CdcNormalize<SinkRecord> transform = normalize(Map.of());
        for (int i = 0; i < schemaless.size(); i++) {
            if (schemaless.get(i).value() == null || ChangeEvent.of(withSchemas.get(i)).operation() == Operation.TRUNCATE) {
                continue;
            }
            Struct expected = (Struct) transform.apply(withSchemas.get(i)).value();
            Map<?, ?> flat = (Map<?, ?>) transform.apply(schemaless.get(i)).value();
            for (String field : List.of(CdcFields.OPERATION, CdcFields.LSN, CdcFields.SCHEMA, CdcFields.TABLE,
                    CdcFields.DELETED, CdcFields.SOURCE_TS_MS)) {
                assertThat(flat.get(field)).as(field).isEqualTo(expected.get(field));
            }
            assertThat(flat.get("id") == null ? null : ((Number) flat.get("id")).intValue()).isEqualTo(
                    expected.schema().field("id") == null ? null : expected.get("id"));
        }
    }

    @Test
    void metadataCanTravelAsHeaders() throws Exception {
        SinkRecord out = normalize(Map.of(CdcNormalize.METADATA_LOCATION, "headers"))
                .apply(CapturedDebeziumRecords.load().get(0));
        Struct value = (Struct) out.value();
        assertThat(value.schema().field(CdcFields.OPERATION)).isNull();
        assertThat(value.getString("email")).isEqualTo("ada@example.com");
        assertThat(out.headers().lastWithName(CdcFields.OPERATION).value()).isEqualTo("r");
        assertThat(out.headers().lastWithName(CdcFields.TABLE).value()).isEqualTo("customers");
        assertThat(out.headers().lastWithName(CdcFields.LSN).value()).isInstanceOf(Long.class);
    }
}
