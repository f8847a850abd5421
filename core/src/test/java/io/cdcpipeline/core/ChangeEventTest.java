package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import io.debezium.transforms.ExtractNewRecordState;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChangeEventTest {

    private static List<SinkRecord> records;

    @BeforeAll
    static void load() throws Exception {
        records = CapturedDebeziumRecords.load();
        assertThat(records).hasSize(10);
    }

    private static ChangeEvent event(int index) {
        return ChangeEvent.of(records.get(index));
    }

    @Test
    void snapshotReadCarriesTableKeyRowAndSnapshotLsn() {
        ChangeEvent read = event(0);

        assertThat(read.operation()).isEqualTo(Operation.READ);
        assertThat(read.table()).isEqualTo(new TableId("public", "customers"));
        assertThat(read.keyColumns()).containsExactly("id");
        assertThat(read.key().getInt32("id")).isEqualTo(1);
        assertThat(read.after().getString("email")).isEqualTo("ada@example.com");
        assertThat((BigDecimal) read.after().get("balance")).isEqualByComparingTo("10.50");
        assertThat(read.before()).isNull();
        assertThat(read.lsn()).isPositive();
        assertThat(read.changeVersion()).isEqualTo(read.lsn() * 2);
        assertThat(read.transactionId()).isNotNull();
        assertThat(read.sourceCommitTime()).isNotNull();
        assertThat(event(1).lsn()).as("both snapshot reads carry the snapshot's LSN").isEqualTo(read.lsn());
    }

    @Test
    void streamedChangeAtTheSnapshotLsnOutranksTheSnapshotRead() {
        // A snapshot read holds the row as it was before the snapshot's LSN; a change streamed at that very LSN
        // came after it and must win.
        SinkRecord read = records.get(0);
        Struct value = (Struct) read.value();
        Struct streamed = new Struct(value.schema());
        for (Field field : value.schema().fields()) {
            streamed.put(field, value.get(field));
        }
        streamed.put("op", "u");
        SinkRecord update = read.newRecord(read.topic(), read.kafkaPartition(), read.keySchema(), read.key(),
                value.schema(), streamed, read.timestamp());

        assertThat(ChangeEvent.of(update).lsn()).isEqualTo(event(0).lsn());
        assertThat(ChangeEvent.of(update).changeVersion()).isGreaterThan(event(0).changeVersion());
    }

    @Test
    void updatesOfOneRowInOneTransactionGetIncreasingVersionsAboveTheSnapshot() {
        ChangeEvent snapshot = event(0);
        ChangeEvent first = event(2);
        ChangeEvent second = event(3);

        assertThat(first.operation()).isEqualTo(Operation.UPDATE);
        assertThat(second.operation()).isEqualTo(Operation.UPDATE);
        assertThat(first.transactionId()).isEqualTo(second.transactionId());
        assertThat(first.changeVersion()).isGreaterThan(snapshot.changeVersion());
        assertThat(second.changeVersion()).isGreaterThan(first.changeVersion());
        assertThat(second.after().getString("name")).isEqualTo("Ada L.");
        assertThat(first.before()).as("REPLICA IDENTITY DEFAULT sends no before-state for updates").isNull();
    }

    @Test
    void streamedVersionsGrowInCommitOrder() {
        long previous = 0;
        for (SinkRecord record : records.subList(2, records.size())) {
            ChangeEvent event = ChangeEvent.of(record);
            if (event.operation() == Operation.TOMBSTONE) {
                continue;
            }
            assertThat(event.changeVersion()).as("version of %s", event).isGreaterThan(previous);
            previous = event.changeVersion();
        }
    }

    @Test
    void deleteCarriesKeyAndBeforeStateThenTombstoneCarriesKeyOnly() {
        ChangeEvent delete = event(5);
        ChangeEvent tombstone = event(6);

        assertThat(delete.operation()).isEqualTo(Operation.DELETE);
        assertThat(delete.isDelete()).isTrue();
        assertThat(delete.after()).isNull();
        assertThat(delete.before().getInt32("id")).isEqualTo(2);
        assertThat(delete.changeVersion()).isGreaterThan(event(4).changeVersion());
        assertThat(delete.columns()).extracting(Field::name).contains("id", "email");

        assertThat(tombstone.operation()).isEqualTo(Operation.TOMBSTONE);
        assertThat(tombstone.table()).isEqualTo(new TableId("public", "customers"));
        assertThat(tombstone.key().getInt32("id")).isEqualTo(2);
        assertThat(tombstone.changeVersion()).isZero();
        assertThat(tombstone.columns()).isEmpty();
    }

    @Test
    void compositeKeyKeepsKeyOrder() {
        ChangeEvent update = event(7);

        assertThat(update.table()).isEqualTo(new TableId("public", "order_items"));
        assertThat(update.keyColumns()).containsExactly("order_id", "line");
        assertThat(update.after().getInt32("qty")).isEqualTo(3);
    }

    @Test
    void tableWithoutPrimaryKeyHasNoKey() {
        ChangeEvent insert = event(8);

        assertThat(insert.table()).isEqualTo(new TableId("public", "audit_log"));
        assertThat(insert.operation()).isEqualTo(Operation.CREATE);
        assertThat(insert.hasPrimaryKey()).isFalse();
        assertThat(insert.keyColumns()).isEmpty();
    }

    @Test
    void truncateNamesTheTableAndCarriesItsLsn() {
        ChangeEvent truncate = event(9);

        assertThat(truncate.operation()).isEqualTo(Operation.TRUNCATE);
        assertThat(truncate.table()).isEqualTo(new TableId("public", "order_items"));
        assertThat(truncate.hasPrimaryKey()).isFalse();
        assertThat(truncate.changeVersion()).isGreaterThan(event(8).changeVersion());
    }

    @Test
    void recordFlattenedByExtractNewRecordStateReadsLikeTheEnvelope() {
        try (ExtractNewRecordState<SinkRecord> unwrap = new ExtractNewRecordState<>()) {
            unwrap.configure(Map.of("add.fields", "op,schema,table,lsn,txId,source.ts_ms",
                    "delete.tombstone.handling.mode", "rewrite"));
            for (int i : new int[] {0, 3, 5, 7}) {
                ChangeEvent envelope = event(i);
                ChangeEvent flat = ChangeEvent.of(unwrap.apply(records.get(i)));

                assertThat(flat.operation()).isEqualTo(envelope.operation());
                assertThat(flat.table()).isEqualTo(envelope.table());
                assertThat(flat.changeVersion()).isEqualTo(envelope.changeVersion());
                assertThat(flat.transactionId()).isEqualTo(envelope.transactionId());
                assertThat(flat.keyColumns()).isEqualTo(envelope.keyColumns());
                assertThat(flat.columns()).extracting(Field::name)
                        .isEqualTo(envelope.columns().stream().map(Field::name).toList())
                        .noneMatch(CdcFields::isMetadata);
                assertThat(flat.after() == null).isEqualTo(envelope.after() == null);
                assertThat(flat.before() == null).isEqualTo(envelope.before() == null);
            }
        }
    }

    @Test
    void recordThatIsNoChangeEventIsRefusedWithItsTopicNamed() {
        Schema schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
        SinkRecord plain = new SinkRecord("orders", 3, null, null, schema, new Struct(schema).put("id", 1), 42);

        assertThatThrownBy(() -> ChangeEvent.of(plain)).isInstanceOf(DataException.class)
                .hasMessageContaining("orders-3@42").hasMessageContaining("add.fields");
    }

    @Test
    void unknownOperationCodeIsNamed() {
        assertThatThrownBy(() -> Operation.fromCode("x")).isInstanceOf(DataException.class).hasMessageContaining("'x'");
    }

    @Test
    void incrementalSnapshotReadsGetVersionZeroSoTheyOnlyFillRowsTheTargetLacks() {
        ChangeEvent read = ChangeEvent.of(Envelopes.record("p.public.t", 0, "t", "r", null, "incremental"));
        assertThat(read.changeVersion()).isZero();
        assertThat(read.isIncrementalSnapshotRead()).isTrue();
        assertThat(read.isBlockingSnapshotRead()).isFalse();
        ChangeEvent earliestChange = ChangeEvent.of(Envelopes.record("p.public.t", 0, "t", "u", 1L, "false"));
        assertThat(earliestChange.changeVersion()).as("any change, however early its LSN, wins over the read")
                .isGreaterThan(read.changeVersion());
        ChangeEvent blocking = ChangeEvent.of(Envelopes.record("p.public.t", 0, "t", "r", 100L, "true"));
        assertThat(blocking.isIncrementalSnapshotRead()).isFalse();
        assertThat(blocking.isBlockingSnapshotRead()).isTrue();
    }
}
