package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Envelopes;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class TargetSourcesTest {

    @Test
    void aSecondSourceTableForOneTargetIsRefusedNamingBoth() {
        TargetSources targets = new TargetSources();
        targets.check("shop_orders", event("orders"));
        targets.check("shop_orders", event("orders")); // the same table again: fine
        assertThatThrownBy(() -> targets.check("shop_orders", event("Orders"))).isInstanceOf(DataException.class)
                .hasMessageContaining("tables public.orders and public.Orders are both written to shop_orders")
                .hasMessageContaining("key.enforce.uniqueness=true");
        assertThatCode(() -> targets.check("shop_Orders", event("Orders"))).doesNotThrowAnyException();
    }

    @Test
    void aKeyThatNamesThePhysicalTableLetsTablesShareATarget() {
        TargetSources targets = new TargetSources();
        targets.check("orders", withPhysicalTableInKey("orders_2025"));
        assertThatCode(() -> targets.check("orders", withPhysicalTableInKey("orders_2026"))).doesNotThrowAnyException();
    }

    private static ChangeEvent event(String table) {
        return ChangeEvent.of(Envelopes.record("t", 0, table, "c", 10L, null));
    }

    private static ChangeEvent withPhysicalTableInKey(String table) {
        SinkRecord plain = Envelopes.record("t", 0, table, "c", 10L, null);
        Schema key = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA)
                .field(TargetSources.PHYSICAL_TABLE_KEY_FIELD, Schema.STRING_SCHEMA).build();
        return ChangeEvent.of(plain.newRecord(plain.topic(), 0, key, new Struct(key).put("id", 1)
                .put(TargetSources.PHYSICAL_TABLE_KEY_FIELD, "public." + table), plain.valueSchema(), plain.value(), 0L));
    }
}
