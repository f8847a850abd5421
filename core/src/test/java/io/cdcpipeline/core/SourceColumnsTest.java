package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** What a target records of its source columns, and how a later or an older record is read against it. */
class SourceColumnsTest {

    /** An insert of row 1 at {@code lsn} into a table of {@code id} and text columns named {@code columns}. */
    private static ChangeEvent insert(long lsn, String... columns) {
        return change("c", lsn, "false", columns);
    }

    /** A read of row 1 by an incremental snapshot: no LSN, version 0. */
    private static ChangeEvent incrementalRead(String... columns) {
        return change("r", null, "incremental", columns);
    }

    private static ChangeEvent change(String op, Long lsn, String snapshot, String... columns) {
        SchemaBuilder row = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA);
        for (String column : columns) {
            // "name=value": a column declared with a default
            String[] parts = column.split("=", 2);
            row.field(parts[0], parts.length == 2 ? SchemaBuilder.string().optional().defaultValue(parts[1]).build()
                    : Schema.OPTIONAL_STRING_SCHEMA);
        }
        row.field("amount", Decimal.builder(2).optional().build());
        Schema rowSchema = row.build();
        Schema envelope = SchemaBuilder.struct().field("before", rowSchema).field("after", rowSchema)
                .field("source", Envelopes.SOURCE).field("op", Schema.STRING_SCHEMA).build();
        Struct source = new Struct(Envelopes.SOURCE).put("schema", "public").put("table", "t").put("lsn", lsn)
                .put("snapshot", snapshot);
        Struct value = new Struct(envelope).put("after", new Struct(rowSchema).put("id", 1)).put("source", source)
                .put("op", op);
        return ChangeEvent.of(new SinkRecord("p.public.t", 0, Envelopes.KEY, new Struct(Envelopes.KEY).put("id", 1),
                envelope, value, 0));
    }

    @Test
    void theColumnsComeBackFromTheirTextWithTheirTypes() {
        ChangeEvent event = insert(100, "note");
        SourceColumns read = SourceColumns.parse(SourceColumns.of(event).toJson());
        assertThat(read.version()).isEqualTo(event.changeVersion());
        assertThat(read.columns()).extracting(Field::name).containsExactly("id", "note", "amount");
        Schema amount = read.columns().get(2).schema();
        assertThat(amount.name()).isEqualTo(Decimal.LOGICAL_NAME);
        assertThat(amount.parameters()).containsEntry(Decimal.SCALE_FIELD, "2");
        assertThat(ColumnRenames.between(read.columns(), insert(200, "remark").columns()))
                .as("renames are told from the recorded columns").containsExactly(Map.entry("remark", "note"));
    }

    @Test
    void nothingRecordedOrUnreadableTextIsNoColumns() {
        assertThat(SourceColumns.parse("")).isNull();
        assertThat(SourceColumns.parse(null)).isNull();
        assertThat(SourceColumns.parse("not json")).isNull();
    }

    @Test
    void onlyANewerRecordIsComparedWithThemOrReplacesThem() {
        SourceColumns recorded = SourceColumns.of(insert(100, "remark"));
        ChangeEvent newer = insert(200, "other");
        ChangeEvent older = insert(50, "note");
        assertThat(recorded.before(newer)).extracting(Field::name).containsExactly("id", "remark", "amount");
        assertThat(recorded.before(older)).as("an older record is not a rename back").isEmpty();
        assertThat(recorded.replacedBy(newer)).isTrue();
        assertThat(recorded.replacedBy(insert(200, "remark"))).as("the same columns").isFalse();
        assertThat(recorded.replacedBy(older)).isFalse();
    }

    @Test
    void anOlderRecordWritesColumnsRenamedSinceUnderTheirNewNames() {
        SourceColumns recorded = SourceColumns.of(insert(100, "remark"));
        assertThat(recorded.renamedSince(insert(50, "note"), List.of("id"))).containsExactly(
                Map.entry("note", "remark"));
        assertThat(recorded.renamedSince(insert(200, "note"), List.of("id"))).as("a newer record").isEmpty();
        assertThat(recorded.renamedSince(insert(50, "note"), List.of("id", "note"))).as("a key column").isEmpty();
        assertThat(incrementalRead("note").changeVersion()).isZero();
        assertThat(recorded.renamedSince(incrementalRead("note"), List.of("id"))).as("a read of an incremental snapshot "
                + "(version 0) carries no position to tell older from newer").isEmpty();
    }

    @Test
    void anOlderRecordGetsTheDefaultsOfColumnsAddedSince() {
        SourceColumns recorded = SourceColumns.parse(SourceColumns.of(insert(100, "remark", "c=dflt", "plain")).toJson());
        ChangeEvent older = insert(50, "note");
        Map<String, String> renamed = recorded.renamedSince(older, List.of("id"));
        assertThat(recorded.addedSince(older, renamed)).as("a column added since with a default; not the renamed "
                + "one, nor one without a default").containsOnlyKeys("c");
        assertThat(recorded.addedSince(older, renamed).get("c").schema().defaultValue()).isEqualTo("dflt");
        assertThat(recorded.addedSince(insert(200, "note"), Map.of())).as("a newer record").isEmpty();
    }
}
