package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** CdcRoute over real Debezium records: templates, regex groups, tenant columns, flattened and schemaless forms. */
class CdcRouteTest {

    static CdcRoute<SinkRecord> route(String... settings) {
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            config.put(settings[i], settings[i + 1]);
        }
        CdcRoute<SinkRecord> transform = new CdcRoute<>();
        transform.configure(config);
        return transform;
    }

    static SinkRecord first(String table) throws Exception {
        return CapturedDebeziumRecords.load().stream().filter(r -> r.topic().endsWith("." + table) && r.value() != null)
                .findFirst().orElseThrow();
    }

    @Test
    void templateRenamesTableTopicAndKeepsTheSourceInAHeader() throws Exception {
        SinkRecord in = first("customers");
        SinkRecord out = route(CdcRoute.TARGET_TABLE, "${schema}_${table}").apply(in);
        assertThat(ChangeEvent.of(out).table()).isEqualTo(new TableId("public", "public_customers"));
        assertThat(out.topic()).isEqualTo("capture.public.public_customers");
        assertThat(out.value()).as("the value is not copied; it still names its source").isSameAs(in.value());
        assertThat(out.headers().lastWithName("cdc.target.table").value()).isEqualTo("public_customers");
        assertThat(out.originalTopic()).isEqualTo("capture.public.customers");
    }

    @Test
    void regexGroupsFeedTheTemplateAndOtherTablesPass() throws Exception {
        CdcRoute<SinkRecord> transform = route(CdcRoute.TABLE_REGEX, "public\\.order_(.*)", CdcRoute.TARGET_TABLE,
                "sales_$1", CdcRoute.TARGET_SCHEMA, "analytics");
        assertThat(ChangeEvent.of(transform.apply(first("order_items"))).table())
                .isEqualTo(new TableId("analytics", "sales_items"));
        SinkRecord customers = first("customers");
        assertThat(transform.apply(customers)).isSameAs(customers);
    }

    @Test
    void tenantColumnSplitsOneTableByValue() throws Exception {
        CdcRoute<SinkRecord> transform = route(CdcRoute.TARGET_TABLE, "${tenant}_${table}", CdcRoute.TENANT_COLUMN, "sku");
        SinkRecord record = first("order_items");
        ((Struct) ((Struct) record.value()).get("after")).put("sku", "acme");
        assertThat(ChangeEvent.of(transform.apply(record)).table().table()).isEqualTo("acme_order_items");
        ((Struct) ((Struct) record.value()).get("after")).put("sku", "globex");
        assertThat(ChangeEvent.of(transform.apply(record)).table().table()).isEqualTo("globex_order_items");
    }

    @Test
    void aTenantThatIsNotANamePartIsRefusedNeverRewritten() throws Exception {
        SinkRecord record = first("order_items");
        ((Struct) ((Struct) record.value()).get("after")).put("sku", "acme/../globex");
        assertThatThrownBy(() -> route(CdcRoute.TARGET_TABLE, "${tenant}_${table}", CdcRoute.TENANT_COLUMN, "sku")
                .apply(record)).isInstanceOf(DataException.class).hasMessageContaining("acme/../globex")
                .hasMessageContaining("capture.public.order_items-0@");
    }

    @Test
    void aMissingTenantFailsOrTakesTheDefault() throws Exception {
        SinkRecord customers = first("customers");
        assertThatThrownBy(() -> route(CdcRoute.TARGET_TABLE, "${tenant}_${table}", CdcRoute.TENANT_COLUMN, "tenant")
                .apply(customers)).isInstanceOf(DataException.class).hasMessageContaining("tenant column 'tenant'");
        assertThat(ChangeEvent.of(route(CdcRoute.TARGET_TABLE, "${tenant}_${table}", CdcRoute.TENANT_COLUMN, "tenant",
                CdcRoute.TENANT_DEFAULT, "shared").apply(customers)).table().table()).isEqualTo("shared_customers");
    }

    @Test
    void deletesRouteByTheirBeforeImageOrKey() throws Exception {
        SinkRecord delete = CapturedDebeziumRecords.load().stream()
                .filter(r -> r.value() != null && ChangeEvent.of(r).isDelete()).findFirst().orElseThrow();
        SinkRecord out = route(CdcRoute.TARGET_TABLE, "t${tenant}_${table}", CdcRoute.TENANT_COLUMN, "id").apply(delete);
        assertThat(ChangeEvent.of(out).table().table()).isEqualTo("t2_customers");
    }

    @Test
    void flattenedAndSchemalessRecordsRouteAlike() throws Exception {
        CdcNormalize<SinkRecord> normalize = new CdcNormalize<>();
        normalize.configure(Map.of());
        CdcRoute<SinkRecord> transform = route(CdcRoute.TARGET_TABLE, "crm_${table}");
        assertThat(ChangeEvent.of(transform.apply(normalize.apply(first("customers")))).table().table())
                .isEqualTo("crm_customers");
        List<SinkRecord> schemaless = CapturedDebeziumRecords.loadSchemaless();
        SinkRecord routed = transform.apply(schemaless.get(0));
        assertThat(ChangeShape.of(routed.value()).table(routed)).isEqualTo(new TableId("public", "crm_customers"));
        assertThat(routed.topic()).isEqualTo("capture.public.crm_customers");
    }

    @Test
    void badTemplatesFailAtConfiguration() {
        assertThatThrownBy(() -> route(CdcRoute.TARGET_TABLE, "${tennant}_${table}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("${tennant}");
        assertThatThrownBy(() -> route(CdcRoute.TARGET_TABLE, "${tenant}_${table}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CdcRoute.TENANT_COLUMN);
        assertThatThrownBy(() -> route(CdcRoute.TARGET_TABLE, "x_$2", CdcRoute.TABLE_REGEX, "public\\.(.*)"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("1 group");
        assertThatThrownBy(() -> route(CdcRoute.TABLE_REGEX, "public\\.(")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(CdcRoute.TABLE_REGEX);
    }
}
