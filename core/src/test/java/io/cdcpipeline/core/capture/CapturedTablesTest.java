package io.cdcpipeline.core.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapturedTablesTest {

    @Test
    void theIncludeListMatchesWholeNamesIgnoringCase() {
        CapturedTables captured = CapturedTables.of(Map.of("table.include.list", "public.orders, public\\.audit_.*"));
        assertThat(captured.captures(new TableId("public", "orders"))).isTrue();
        assertThat(captured.captures(new TableId("public", "ORDERS"))).isTrue();
        assertThat(captured.captures(new TableId("public", "audit_log"))).isTrue();
        assertThat(captured.captures(new TableId("public", "orders_archive"))).as("whole name only").isFalse();
        assertThat(captured.captures(new TableId("other", "orders"))).isFalse();
    }

    @Test
    void theExcludeListWinsAndPostgresOwnSchemasAreNeverCaptured() {
        CapturedTables captured = CapturedTables.of(Map.of("table.exclude.list", "public\\.tmp_.*"));
        assertThat(captured.captures(new TableId("public", "orders"))).isTrue();
        assertThat(captured.captures(new TableId("public", "tmp_1"))).isFalse();
        assertThat(captured.captures(new TableId("pg_catalog", "pg_class"))).isFalse();
        assertThat(captured.captures(new TableId("information_schema", "tables"))).isFalse();
    }
}
