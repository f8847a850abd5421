package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Per-table overrides shape the tables the sink creates, on both servers: name, PARTITION BY and ORDER BY. */
@RealStack
class TableOverridesIT {

    @Test
    void overridesShapeTheCreatedTable(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch)
            throws Exception {
        List<SinkRecord> records = WritesIT.captureItems(stack, pg);
        Map<String, String> overrides = Map.of(
                "table.override.public.items.name", "items_by_hundred",
                "table.override.public.items.partition.by", "intDiv(id, 100)",
                "table.override.public.items.order.by", "(intDiv(id, 100), id)");
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, overrides);
                assertThat(server.deadLetters).isEmpty();
                String ddl = server.scalar("SHOW CREATE TABLE " + server.table("items_by_hundred"));
                assertThat(ddl).as("DDL in %s", server).contains("PARTITION BY intDiv(id, 100)").contains("ORDER BY (intDiv(id, 100), id)");
                assertThat(server.scalar("SELECT uniqExact(partition) FROM system.parts WHERE database = '"
                        + server.database + "' AND table = 'items_by_hundred' AND active")).isEqualTo("11");
                assertThat(server.scalar("SELECT count() FROM " + server.table("items_by_hundred_current")))
                        .isEqualTo("1000");
            }
        }
    }

    @Test
    void aTableClickHouseRefusesStopsOnlyThatTable(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = WritesIT.captureItems(stack, pg).subList(0, 10);
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            legacy.write(records, Map.of("table.override.public.items.partition.by", "no_such_column"));
            assertThat(legacy.deadLetters).hasSize(10);
            assertThat(legacy.deadLetters.get(0).reason().getMessage())
                    .contains("ClickHouse refused the table for public.items").contains("no_such_column");
        }
    }

    /**
     * A sorting key that lacks the primary-key column, or only mentions it (inside a function, where hashes collide,
     * or as part of another name), would make ReplacingMergeTree merge distinct rows: refused before the table is
     * made. (The check once tested the expression's text for the column's name and let {@code intHash32(id)} pass.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"(qty)", "(intHash32(id))", "(qty, ident)"})
    void aSortingKeyWithoutThePrimaryKeyAsAnElementIsRefused(String orderBy, StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = WritesIT.captureItems(stack, pg).subList(0, 10);
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            legacy.write(records, Map.of("table.override.public.items.order.by", orderBy));
            assertThat(legacy.deadLetters).hasSize(10);
            assertThat(legacy.deadLetters.get(0).reason().getMessage())
                    .contains("table.override.public.items.order.by").contains("missing [id]");
            assertThat(legacy.scalar("SELECT count() FROM system.tables WHERE database = '" + legacy.database
                    + "' AND name = 'items'")).as("no table made").isEqualTo("0");
        }
    }
}
