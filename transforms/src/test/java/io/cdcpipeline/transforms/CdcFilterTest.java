package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Filter;
import org.junit.jupiter.api.Test;

/** CdcFilter and ChangeMatches over the captured records (3 snapshot/insert/update customers rows, 1 delete, ...). */
class CdcFilterTest {

    static List<Integer> kept(String condition, String action, boolean schemaless) throws Exception {
        CdcFilter<SinkRecord> filter = new CdcFilter<>();
        filter.configure(Map.of(CdcFilter.CONDITION, condition, CdcFilter.ACTION, action));
        List<SinkRecord> records = schemaless ? CapturedDebeziumRecords.loadSchemaless() : CapturedDebeziumRecords.load();
        ArrayList<Integer> kept = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (filter.apply(records.get(i)) != null) {
                kept.add(i);
            }
        }
        return kept;
    }

    // Capture order: 0 r customers 1, 1 r order_items, 2 u customers 1, 3 u customers 1, 4 c customers 2,
    // 5 d customers 2, 6 tombstone, 7 u order_items, 8 c audit_log, 9 t order_items.

    @Test
    void operationsTablesAndValuesSelectChanges() throws Exception {
        assertThat(kept("op = 'u'", "keep", false)).containsExactly(2, 3, 6, 7);
        assertThat(kept("table like 'order%' and qty >= 3", "keep", false)).containsExactly(6, 7);
        assertThat(kept("name = 'Ada L.' or email = 'bob@example.com'", "keep", false)).containsExactly(2, 3, 4, 6);
        assertThat(kept("op in ('c', 'r') and not table = 'audit_log'", "keep", false)).containsExactly(0, 1, 4, 6);
        assertThat(kept("op = 'd' and before.id = 2 and after.id is null", "keep", false)).containsExactly(5, 6);
    }

    @Test
    void typedColumnsCompareByTheirMeaning() throws Exception {
        assertThat(kept("born < '1900-01-01'", "keep", false)).containsExactly(0, 2, 3, 6);
        assertThat(kept("balance > 11", "keep", false)).containsExactly(3, 6); // 10.50, then 11.75;
        assertThat(kept("updated_at >= '2026-01-02T03:04:05Z'", "keep", false)).containsExactly(0, 2, 3, 6);
    }

    @Test
    void dropActionAndSchemalessRecords() throws Exception {
        assertThat(kept("table = 'customers'", "drop", false)).containsExactly(1, 6, 7, 8, 9);
        assertThat(kept("op = 'u' and qty = 3", "keep", true)).containsExactly(6, 7);
    }

    @Test
    void asAPredicateItDrivesKafkasOwnFilter() throws Exception {
        ChangeMatches<SinkRecord> predicate = new ChangeMatches<>();
        predicate.configure(Map.of(ChangeMatches.CONDITION, "table = 'audit_log'"));
        Filter<SinkRecord> filter = new Filter<>();
        filter.configure(Map.of());
        List<SinkRecord> records = CapturedDebeziumRecords.load();
        long passed = records.stream().filter(r -> !predicate.test(r) || filter.apply(r) != null).count();
        assertThat(passed).isEqualTo(records.size() - 1);
    }

    @Test
    void droppedChangesAreCounted() throws Exception {
        try (Metrics metrics = new Metrics()) {
            CdcFilter<SinkRecord> filter = new CdcFilter<>();
            filter.configure(Map.of(CdcFilter.CONDITION, "op = 'u'"));
            filter.withPluginMetrics(new PluginMetricsImpl(metrics, Map.of("connector", "test")));
            CapturedDebeziumRecords.load().forEach(filter::apply);
            Object total = metrics.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("records-filtered-total")).findFirst().orElseThrow()
                    .getValue().metricValue();
            assertThat(total).isEqualTo(6.0); // 9 changes (the tombstone is none), 3 of them updates
        }
    }

    @Test
    void syntaxErrorsSayWhereAtConfiguration() {
        CdcFilter<SinkRecord> filter = new CdcFilter<>();
        assertThatThrownBy(() -> filter.configure(Map.of(CdcFilter.CONDITION, "op = 'u' and")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("the end");
        assertThatThrownBy(() -> filter.configure(Map.of(CdcFilter.CONDITION, "qty => 3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("position 6");
        assertThatThrownBy(() -> filter.configure(Map.of(CdcFilter.CONDITION, "name = 'open")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> filter.configure(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining(CdcFilter.CONDITION);
    }
}
