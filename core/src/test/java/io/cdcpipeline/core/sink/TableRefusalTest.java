package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

class TableRefusalTest {

    private static final Schema ROW = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();

    @Test
    void holdsForItsSchemaUntilTheRecheckTimeHasPassed() {
        TableRefusal fresh = TableRefusal.of(ROW, "refused");
        assertThat(fresh.holdsFor(ROW, 60_000)).isTrue();
        TableRefusal old = new TableRefusal(ROW, "refused", System.currentTimeMillis() - 61_000);
        assertThat(old.holdsFor(ROW, 60_000)).as("looked at again").isFalse();
        assertThat(fresh.holdsFor(ROW, 0)).as("0: every record looks again").isFalse();
    }

    @Test
    void aNewSchemaIsAlwaysExaminedAtOnce() {
        Schema widened = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        assertThat(TableRefusal.of(ROW, "refused").holdsFor(widened, 60_000)).isFalse();
    }
}
