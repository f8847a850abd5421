package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which differences the transforms in front of a sink make on purpose, so validate never calls them drift. */
class TransformEffectsTest {

    private static final TableId CUSTOMERS = new TableId("public", "customers");
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId CUSTOMERS_ARCHIVE = new TableId("public", "customers_archive");
    private static final List<String> COLUMNS = List.of("id", "email", "name", "ssn");
    private static final List<TableId> CAPTURED = List.of(CUSTOMERS, ORDERS);

    private static Map<String, String> pipeline() {
        Map<String, String> c = PipelineFileTest.minimal();
        c.put("sinks", "clickhouse,search");
        c.put("sink.search.connector.class", "io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector");
        return c;
    }

    @Test
    void protectPiiColumnRulesLeaveTheirColumnsOutOfTheComparisonForEverySinkBehindIt() {
        Map<String, String> c = pipeline();
        c.put("source.transforms", "newtables,pii,normalize");
        c.put("source.transforms.newtables.type", "io.cdcpipeline.transforms.CaptureNewTables"); // passes rows as they are
        c.put("source.transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
        c.put("source.transforms.pii.columns", "public.customers.email=hash,*.*.ssn=drop,public.*.name=keep");
        c.put("source.transforms.normalize.type", "io.cdcpipeline.transforms.CdcNormalize");
        PipelineFile file = PipelineFile.parse(c, Map.of());
        for (String sink : List.of("clickhouse", "search")) {
            TransformEffects.Effect effect = TransformEffects.of(file, sink).on(CUSTOMERS, COLUMNS, CAPTURED);
            assertThat(effect.notChecked()).isNull();
            assertThat(effect.skippedColumns()).containsOnlyKeys("email", "ssn")
                    .containsEntry("email", "pii (ProtectPii): hash");
        }
    }

    @Test
    void aRoutedTableIsComparedWithItsTargetUnlessTheTargetMergesTablesOrDependsOnTheRow() {
        Map<String, String> c = pipeline();
        c.put("sink.search.transforms", "route");
        c.put("sink.search.transforms.route.type", "io.cdcpipeline.transforms.CdcRoute");
        c.put("sink.search.transforms.route.table.regex", "public\\.cust(.*)");
        c.put("sink.search.transforms.route.target.table", "all_cust$1");
        PipelineFile file = PipelineFile.parse(c, Map.of());
        TransformEffects.Effect routed = TransformEffects.of(file, "search").on(CUSTOMERS, COLUMNS, CAPTURED);
        assertThat(routed.notChecked()).isNull();
        assertThat(routed.copyTable()).isEqualTo(new TableId("public", "all_customers"));
        assertThat(TransformEffects.of(file, "search").on(ORDERS, COLUMNS, CAPTURED).copyTable())
                .as("a table the route does not match").isEqualTo(ORDERS);
        assertThat(TransformEffects.of(file, "clickhouse").on(CUSTOMERS, COLUMNS, CAPTURED).copyTable())
                .isEqualTo(CUSTOMERS);

        c.put("sink.search.transforms.route.target.table", "all_customers");
        file = PipelineFile.parse(c, Map.of());
        assertThat(TransformEffects.of(file, "search").on(CUSTOMERS, COLUMNS, List.of(CUSTOMERS, CUSTOMERS_ARCHIVE))
                .notChecked()).isEqualTo("routed into public.all_customers together with public.customers_archive "
                        + "(a target several tables share is not one table's copy)");

        c.put("sink.search.transforms.route.target.table", "${tenant}_customers");
        c.put("sink.search.transforms.route.tenant.column", "tenant");
        file = PipelineFile.parse(c, Map.of());
        assertThat(TransformEffects.of(file, "search").on(CUSTOMERS, COLUMNS, CAPTURED).notChecked())
                .isEqualTo("transform route (CdcRoute) routes each change by its tenant.column 'tenant'");
    }

    @Test
    void aFilteredTableOrAnUnknownTransformIsNotCheckedForThatSinkOnly() {
        Map<String, String> c = pipeline();
        c.put("sink.clickhouse.transforms", "keep,odd");
        c.put("sink.clickhouse.transforms.keep.type", "io.cdcpipeline.transforms.CdcFilter");
        c.put("sink.clickhouse.transforms.keep.condition", "op == 'c'");
        c.put("sink.clickhouse.transforms.odd.type", "org.apache.kafka.connect.transforms.RegexRouter");
        PipelineFile file = PipelineFile.parse(c, Map.of());
        assertThat(TransformEffects.of(file, "clickhouse").on(CUSTOMERS, COLUMNS, CAPTURED).notChecked())
                .isEqualTo("transform keep (CdcFilter) keeps only some changes");
        assertThat(TransformEffects.of(file, "search").on(CUSTOMERS, COLUMNS, CAPTURED).notChecked()).isNull();

        c.put("sink.clickhouse.transforms", "odd");
        file = PipelineFile.parse(c, Map.of());
        assertThat(TransformEffects.of(file, "clickhouse").on(CUSTOMERS, COLUMNS, CAPTURED).notChecked())
                .isEqualTo("transform odd (RegexRouter) may change rows in ways validate cannot follow");
    }

    @Test
    void tablesTurnedIntoEventsAreNotCheckedAndTheOthersAre() {
        Map<String, String> c = pipeline();
        c.put("sink.clickhouse.transforms", "outbox,events");
        c.put("sink.clickhouse.transforms.outbox.type", "io.cdcpipeline.transforms.OutboxEvents");
        c.put("sink.clickhouse.transforms.events.type", "io.cdcpipeline.transforms.ChangeCloudEvents");
        c.put("sink.clickhouse.transforms.events.table.regex", "public\\.customers");
        PipelineFile file = PipelineFile.parse(c, Map.of());
        TransformEffects effects = TransformEffects.of(file, "clickhouse");
        TableId outbox = new TableId("public", "outbox_events");
        assertThat(effects.on(outbox, COLUMNS, CAPTURED).notChecked())
                .isEqualTo("transform outbox (OutboxEvents) turns its changes into events, kept in event tables that "
                        + "have no table in Postgres to compare with");
        assertThat(effects.on(CUSTOMERS, COLUMNS, CAPTURED).notChecked()).startsWith("transform events (ChangeCloudEvents)");
        assertThat(effects.on(ORDERS, COLUMNS, CAPTURED).notChecked()).as("a table both pass unchanged").isNull();
    }
}
