package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which differences the transforms in front of a sink make on purpose, so validate never calls them drift. */
class TransformEffectsTest {

    private static final TableId CUSTOMERS = new TableId("public", "customers");
    private static final List<String> COLUMNS = List.of("id", "email", "name", "ssn");

    private static Map<String, String> pipeline() {
        Map<String, String> c = PipelineFileTest.minimal();
        c.put("sinks", "clickhouse,search");
        c.put("sink.search.connector.class", "io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector");
        return c;
    }

    @Test
    void protectPiiColumnRulesLeaveTheirColumnsOutOfTheComparisonForEverySinkBehindIt() {
        Map<String, String> c = pipeline();
        c.put("source.transforms", "pii,normalize");
        c.put("source.transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
        c.put("source.transforms.pii.columns", "public.customers.email=hash,*.*.ssn=drop,public.*.name=keep");
        c.put("source.transforms.normalize.type", "io.cdcpipeline.transforms.CdcNormalize");
        PipelineFile file = PipelineFile.parse(c, Map.of());
        for (String sink : List.of("clickhouse", "search")) {
            TransformEffects.Effect effect = TransformEffects.of(file, sink).on(CUSTOMERS, COLUMNS);
            assertThat(effect.notChecked()).isNull();
            assertThat(effect.skippedColumns()).containsOnlyKeys("email", "ssn")
                    .containsEntry("email", "pii (ProtectPii): hash");
        }
    }

    @Test
    void aRoutedOrFilteredTableOrAnUnknownTransformIsNotCheckedForThatSinkOnly() {
        Map<String, String> c = pipeline();
        c.put("sink.search.transforms", "route");
        c.put("sink.search.transforms.route.type", "io.cdcpipeline.transforms.CdcRoute");
        c.put("sink.search.transforms.route.table.regex", "public\\.cust.*");
        c.put("sink.search.transforms.route.target.table", "all_${table}");
        PipelineFile file = PipelineFile.parse(c, Map.of());
        assertThat(TransformEffects.of(file, "search").on(CUSTOMERS, COLUMNS).notChecked())
                .isEqualTo("routed to another target by transform route (CdcRoute)");
        assertThat(TransformEffects.of(file, "search").on(new TableId("public", "orders"), COLUMNS).notChecked())
                .as("a table the route does not match").isNull();
        assertThat(TransformEffects.of(file, "clickhouse").on(CUSTOMERS, COLUMNS).notChecked()).isNull();

        c.put("sink.clickhouse.transforms", "keep,odd");
        c.put("sink.clickhouse.transforms.keep.type", "io.cdcpipeline.transforms.CdcFilter");
        c.put("sink.clickhouse.transforms.keep.condition", "op == 'c'");
        c.put("sink.clickhouse.transforms.odd.type", "org.apache.kafka.connect.transforms.RegexRouter");
        file = PipelineFile.parse(c, Map.of());
        assertThat(TransformEffects.of(file, "clickhouse").on(CUSTOMERS, COLUMNS).notChecked())
                .isEqualTo("transform keep (CdcFilter) keeps only some changes");
    }
}
