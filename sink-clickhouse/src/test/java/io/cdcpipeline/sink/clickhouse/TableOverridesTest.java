package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import java.util.HashMap;
import java.util.Map;
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
}
