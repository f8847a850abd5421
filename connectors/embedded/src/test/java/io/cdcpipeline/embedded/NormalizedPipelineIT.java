package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CdcNormalize transform in front of both sinks, configured as a user would in the pipeline file: the sinks take
 * the flat rows with their CDC metadata, and the copies still equal Postgres after inserts, updates and deletes.
 */
@RealStack
class NormalizedPipelineIT {

    @Test
    void bothSinksTakeNormalizedRecords(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        for (String sink : new String[] {"clickhouse", "elasticsearch"}) {
            h.extraConfig.put("sink." + sink + ".transforms", "normalize");
            h.extraConfig.put("sink." + sink + ".transforms.normalize.type", "io.cdcpipeline.transforms.CdcNormalize");
            h.extraConfig.put("sink." + sink + ".transforms.normalize.tombstones", "drop");
        }
        h.sql(PipelineHarness.SCHEMA);
        h.sql("INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada', 10.50, true, '1990-12-10', now())",
                "INSERT INTO orders SELECT g, 1, 'new', g * 1.25, timestamp '2026-01-01' + g * interval '1 second' "
                        + "FROM generate_series(1, 200) g");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(90);
            h.sql("UPDATE orders SET status = 'paid' WHERE id % 2 = 0", "DELETE FROM orders WHERE id % 5 = 0",
                    "INSERT INTO order_items VALUES (1, 1, 'sku-1', 2), (1, 2, 'sku-2', 1)",
                    "DELETE FROM order_items WHERE line = 2");
            h.awaitCopiesEqualSource(90);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
        }
    }
}
