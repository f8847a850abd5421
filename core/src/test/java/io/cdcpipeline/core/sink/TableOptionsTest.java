package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.TableId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TableOptionsTest {

    private static Map<String, TableOptions.Check> checks() {
        Map<String, TableOptions.Check> checks = new LinkedHashMap<>();
        checks.put("partition.by", (key, value) -> { });
        checks.put("name", (key, value) -> {
            if (value.contains(" ")) {
                throw new ConfigException(key, value, "has a space");
            }
        });
        return checks;
    }

    @Test
    void readsEachTablesOptionsTrimmedAndIgnoresOtherKeys() {
        TableOptions options = TableOptions.parse(Map.of("table.override.public.orders.name", " orders_v2 ",
                "table.override.sales.orders.partition.by", "toYYYYMM(ts)", "batch.max.bytes", "1024"),
                "table.override.", "table override", checks());
        assertThat(options.get(new TableId("public", "orders"), "name")).isEqualTo("orders_v2");
        assertThat(options.get(new TableId("sales", "orders"), "partition.by")).isEqualTo("toYYYYMM(ts)");
        assertThat(options.get(new TableId("sales", "orders"), "name")).isNull();
        assertThat(options.get(new TableId("public", "customers"), "name")).isNull();
    }

    @Test
    void aKeyItCannotReadFailsTheConfigNamingTheKey() {
        assertThatThrownBy(() -> TableOptions.parse(Map.of("table.override.public.orders.colour", "red"),
                "table.override.", "table override", checks())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("table.override.public.orders.colour")
                .hasMessageContaining("unknown table override; expected table.override.<schema>.<table>.<option> "
                        + "with an option out of [partition.by, name]");
        assertThatThrownBy(() -> TableOptions.parse(Map.of("table.override.orders.name", "x"), "table.override.",
                "table override", checks())).hasMessageContaining("does not name a source table as <schema>.<table>");
        assertThatThrownBy(() -> TableOptions.parse(Map.of("table.override.public.orders.name", "a b"),
                "table.override.", "table override", checks())).hasMessageContaining("has a space");
    }

    @Test
    void sharedSinkSettingsRefuseALongestWaitBelowTheFirst() {
        ConfigDef def = SinkOptions.defineRetries(new ConfigDef(), "attempts");
        AbstractConfig ok = new AbstractConfig(def, Map.of(SinkOptions.RETRY_BACKOFF_MS, "100"));
        SinkOptions.check(ok);
        assertThat(SinkOptions.backoff(ok)).isEqualTo(new RetryBackoff(10, 100, 10_000));
        AbstractConfig bad = new AbstractConfig(def, Map.of(SinkOptions.RETRY_BACKOFF_MS, "500",
                SinkOptions.RETRY_BACKOFF_MAX_MS, "100"));
        assertThatThrownBy(() -> SinkOptions.check(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("retry.backoff.max.ms").hasMessageContaining("must not be less than "
                        + "retry.backoff.ms (500)");
    }
}
