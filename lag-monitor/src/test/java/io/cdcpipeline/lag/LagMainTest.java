package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The table {@code bin/cdc lag status} prints from a monitor's /status. */
class LagMainTest {

    @Test
    void statusTableNamesSinkFreshnessThresholdLevelStallAndBudget() throws Exception {
        String table = LagMain.table(new ObjectMapper().readTree("""
                {"healthy": false,
                 "slos": [{"slo": "analytics-freshness", "sink": "analytics", "table": "*", "threshold_seconds": 15,
                           "freshness_seconds": 42.4, "level": "critical", "stalled": true, "error_budget_left": 0.998},
                          {"slo": "search-freshness", "sink": "search", "table": "*", "threshold_seconds": 15,
                           "freshness_seconds": 1.7, "level": "ok", "stalled": false, "error_budget_left": 1.0}],
                 "tables": [{"sink": "search", "table": "shop_orders", "freshness_seconds": 31.2, "pending": 35,
                             "complete_up_to": "2026-11-22T13:20:00.999Z", "oldest_pending": "2026-11-22T13:20:01Z"},
                            {"sink": "search", "table": "shop_quiet", "freshness_seconds": 1.7, "pending": 0,
                             "complete_up_to": "2026-11-22T13:20:30Z", "oldest_pending": null}],
                 "slot": {"name": "shop_ch", "active": true, "wal_status": "reserved", "retained_wal_bytes": 56,
                          "unconfirmed_wal_bytes": 0}}"""));
        System.out.print(table);
        assertThat(table.lines().toList()).hasSize(9);
        assertThat(table.lines().toList().get(1)).contains("analytics", "analytics-freshness", "42.4s", "15s",
                "critical", "yes", "99.8%");
        assertThat(table.lines().filter(l -> l.contains("shop_orders")).findFirst().orElseThrow())
                .contains("search", "31.2s", "35", "oldest waiting change 2026-11-22T13:20:01Z");
        assertThat(table.lines().filter(l -> l.contains("shop_quiet")).findFirst().orElseThrow())
                .contains("1.7s", " 0 ").doesNotContain("oldest waiting");
        assertThat(table).contains("slot shop_ch: active, reserved, retains 56 bytes of WAL").endsWith("UNHEALTHY\n");
    }
}
