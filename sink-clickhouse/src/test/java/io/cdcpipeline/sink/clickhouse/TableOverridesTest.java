package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class TableOverridesTest {

    @Test
    void overridesApplyToTheirTableOnly() {
        Map<String, String> props = new HashMap<>();
        props.put(ClickHouseSinkConfig.TABLE_NAME_FORMAT, "${schema}_${table}");
        props.put(ClickHouseSinkConfig.PARTITION_BY, "toYYYYMM(_cdc_source_ts)");
        props.put("table.override.sales.orders.name", "orders_v2");
        props.put("table.override.sales.orders.partition.by", "");
        props.put("table.override.sales.orders.order.by", "(customer_id, id)");
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        TableId orders = new TableId("sales", "orders");
        TableId items = new TableId("sales", "items");
        assertThat(config.tableName(orders)).isEqualTo("orders_v2");
        assertThat(config.partitionBy(orders)).isEmpty();
        assertThat(config.orderBy(orders)).isEqualTo("(customer_id, id)");
        assertThat(config.tableName(items)).isEqualTo("sales_items");
        assertThat(config.partitionBy(items)).isEqualTo("toYYYYMM(_cdc_source_ts)");
        assertThat(config.orderBy(items)).isNull();
    }

    /** Clauses pasted into the DDL are one balanced expression, checked when the config is read. */
    @Test
    void partitionAndOrderClausesAreCheckedAsExpressions() {
        for (String bad : List.of("toYYYYMM(_cdc_source_ts", "x) DROP TABLE y (", "a; DROP TABLE t",
                "'unclosed", "a -- rest")) {
            Assertions.assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(
                    ClickHouseSinkConfig.PARTITION_BY, bad))).as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("partition.by");
            Assertions.assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(
                    "table.override.s.t.partition.by", bad))).as(bad)
                    .hasMessageContaining("table.override.s.t.partition.by");
        }
        assertThat(new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.PARTITION_BY, "(toYYYYMM(ts), 'a,b')"))
                .partitionBy(new TableId("s", "t"))).isEqualTo("(toYYYYMM(ts), 'a,b')");
    }
}
