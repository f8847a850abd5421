package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.http.MonitorServer;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replication slot in trouble fails {@code /health} with the reason and the remedy, on a real Postgres: a slot
 * nobody reads while WAL is written keeps more than its limit ({@code postgres.slot.retained.limit}, here 1 MB; the
 * limit is exported beside the retained bytes for the alert), and a slot dropped by an administrator is missing.
 */
@RealStack
class SlotHealthIT {

    @Test
    void aSlotKeepingTooMuchWalOrDroppedFailsHealthWithTheRemedy(PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            @TempDir Path work) throws Exception {
        String slot = pg.name() + "_idle";
        Path config = work.resolve("lag.yaml");
        Files.writeString(config, """
                postgres:
                  url: %s
                  user: %s
                  slot: %s
                  slot.retained.limit: 1MB
                heartbeat:
                  table: public.cdc_heartbeat
                  interval: 1s
                check:
                  interval: 1s
                sinks:
                  analytics:
                    type: clickhouse
                    url: %s
                    database: %s
                slos:
                  - sink: analytics
                    threshold: 1h
                http:
                  port: 0
                """.formatted(pg.jdbcUrl(), pg.user(), slot, ch.url(), ch.name()));
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
        try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC());
                MonitorServer server = new MonitorServer(monitor, 0)) {
            monitor.prepare();
            monitor.start();
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE wal_filler (id integer, pad text)");
                st.execute("INSERT INTO wal_filler SELECT g, repeat(md5(g::text), 16) FROM generate_series(1, 20000) g");
            }
            Await.until(() -> monitor.unhealthyReasons().stream().anyMatch(r -> r.contains("replication slot " + slot
                    + " keeps")), 30, "the slot over its limit: " + monitor.unhealthyReasons());
            assertThat(monitor.unhealthyReasons()).anySatisfy(r -> assertThat(r).contains("above its limit of 1 MB")
                    .contains("postgres.slot.retained.limit"));
            assertThat(MonitorHttp.status(server, "/health")).isEqualTo(503);
            assertThat(MonitorHttp.body(server, "/health")).contains("replication slot " + slot);
            assertThat(MonitorHttp.body(server, "/metrics")).contains("cdc_replication_slot_retained_wal_limit_bytes{slot=\""
                    + slot + "\"} 1048576");

            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
            Await.until(() -> monitor.unhealthyReasons().stream().anyMatch(r -> r.contains("replication slot " + slot
                    + " is missing")), 30, "the dropped slot: " + monitor.unhealthyReasons());
            assertThat(monitor.unhealthyReasons()).anySatisfy(r -> assertThat(r).contains("new snapshot")
                    .contains("bin/cdc validate"));
            ReliabilityCase.fault("Replication slot retaining more WAL than its limit, then dropped by an "
                            + "administrator, while the lag monitor runs").mode("both")
                    .expected("/health fails naming the slot, the limit and the setting; a dropped slot is said out "
                            + "loud with the remedy (new snapshot plus a consistency check)")
                    .observed("'above its limit of 1 MB ... postgres.slot.retained.limit', /health 503; then 'is "
                            + "missing ... new snapshot ... bin/cdc validate'").record();
            ReliabilityCase.defect("Replication slot trouble did not fail /health and had no alerts").mode("both")
                    .expected("retained-WAL limit and wal_status extended/unreserved/lost fail /health and alert")
                    .observed("/health 503 with the reason; cdc_replication_slot_retained_wal_limit_bytes exported; "
                            + "promtool tests of the slot, ticket and stalled rules (RulesGeneratorTest)").record();
        } finally {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                        + slot + "'");
            }
        }
    }
}
