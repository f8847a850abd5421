package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.TableId;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class IndexNamesTest {

    private static final TableId TABLE = new TableId("public", "t");

    @Test
    void namesElasticsearchAcceptsPass() {
        assertThat(IndexNames.requireValid("shop_orders", TABLE)).isEqualTo("shop_orders");
        assertThat(IndexNames.requireValid("shop.orders-2026", TABLE)).isEqualTo("shop.orders-2026");
        assertThat(IndexNames.requireValid("naïve_ünïcode", TABLE)).isEqualTo("naïve_ünïcode");
    }

    @Test
    void aNameElasticsearchRefusesIsRefusedNamingTheTableAndTheFix() {
        assertThatThrownBy(() -> IndexNames.requireValid("shop_bad*name", new TableId("public", "bad*name")))
                .isInstanceOf(DataException.class).hasMessageContaining("index name 'shop_bad*name' for table "
                        + "public.bad*name").hasMessageContaining("contains '*'")
                .hasMessageContaining("index.override.public.bad*name.name");
        assertThatThrownBy(() -> IndexNames.requireValid("_hidden", TABLE)).hasMessageContaining("starts with '_'");
        assertThatThrownBy(() -> IndexNames.requireValid("a b", TABLE)).hasMessageContaining("contains ' '");
        assertThatThrownBy(() -> IndexNames.requireValid("x".repeat(241), TABLE)).hasMessageContaining("240 bytes");
    }
}
