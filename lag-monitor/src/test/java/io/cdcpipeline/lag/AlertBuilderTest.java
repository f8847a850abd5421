package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.Observation.SinkState;
import io.cdcpipeline.lag.Observation.TableState;
import io.cdcpipeline.lag.alert.Alert;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.slo.SloTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alerts and health reasons built from one round's observation and the trackers' readings, without a server. */
class AlertBuilderTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    private static MonitorConfig.Slo slo(String table, Duration alertFor) {
        return new MonitorConfig.Slo("search-fresh", "search", table, Duration.ofSeconds(30), 0.99,
                Duration.ofMinutes(100), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60),
                alertFor);
    }

    private static Observation seen(Instant at, Instant newestVisible, Map<String, TableState> tables,
            List<ConnectProbe.ConnectorState> connectors) {
        return new Observation(at, at, Map.of("search", new SinkState("search", newestVisible, null)),
                Map.of("search", tables), null, null, connectors, Map.of(), List.of());
    }

    @Test
    void aCriticalSinkAlertsOnlyOnceItsConditionLastedTheSlosForAndKeepsItsStart() {
        MonitorConfig.Slo slo = slo(null, Duration.ofSeconds(10));
        SloTracker tracker = new SloTracker(slo, T0);
        AlertBuilder builder = new AlertBuilder();
        Map<String, TableState> waiting = Map.of("shop_orders", new TableState("search", "shop_orders", T0, 7,
                T0.plusSeconds(1), T0, Duration.ofSeconds(45)));

        tracker.observe(T0.plusSeconds(45), T0, T0.plusSeconds(45), null);
        assertThat(builder.alerts(seen(T0.plusSeconds(45), T0, waiting, List.of()), List.of(tracker), List.of(),
                name -> slo)).as("pending: the condition has not lasted 10 s").isEmpty();

        tracker.observe(T0.plusSeconds(56), T0, T0.plusSeconds(56), null);
        List<Alert> alerts = builder.alerts(seen(T0.plusSeconds(56), T0, waiting, List.of()), List.of(tracker),
                List.of(), name -> slo);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.get(0);
        assertThat(alert.labels()).containsEntry("alertname", "CdcSinkFreshness").containsEntry("sink", "search")
                .containsEntry("table", "*").containsEntry("slo", "search-fresh").containsEntry("severity", "critical")
                .doesNotContainKey("connector");
        assertThat(alert.startsAt()).as("started when first seen, not when it passed 'for'")
                .isEqualTo(T0.plusSeconds(45));
        assertThat(alert.annotations().get("summary")).isEqualTo("Sink search (all tables) is 56 s behind the source, "
                + "over the critical level of 30 s (SLO search-fresh); waiting on shop_orders (7 changes waiting since "
                + T0.plusSeconds(1) + ")");
        assertThat(HealthReasons.of(seen(T0.plusSeconds(56), T0, waiting, List.of()), null, List.of(tracker),
                List.of())).containsExactly("SLO search-fresh: sink search (all tables) is 56 s behind (critical at "
                        + "30 s)");
    }

    @Test
    void aFailedConnectorAlertsAndFailsHealthWithItsTasksError() {
        ConnectProbe.ConnectorState failed = new ConnectProbe.ConnectorState("shop-clickhouse", "sink", "RUNNING",
                List.of(new ConnectProbe.TaskState(0, "FAILED", "w1", "ConnectException: refused")));
        Observation seen = seen(T0, T0, Map.of(), List.of(failed));

        List<Alert> alerts = new AlertBuilder().alerts(seen, List.of(), List.of(), name -> {
            throw new AssertionError("no SLO raises this alert");
        });

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.labels()).containsEntry("alertname", "CdcConnectorFailed")
                    .containsEntry("connector", "shop-clickhouse").containsEntry("sink", "shop-clickhouse")
                    .containsEntry("slo", "");
            assertThat(alert.annotations().get("summary"))
                    .isEqualTo("Connector shop-clickhouse has failed: task 0: ConnectException: refused");
        });
        assertThat(HealthReasons.of(seen, null, List.of(), List.of()))
                .containsExactly("connector shop-clickhouse has failed (RUNNING, tasks [0:FAILED])");
    }

    @Test
    void anAlertThatStopsFiringStartsAfreshWhenItComesBack() {
        MonitorConfig.Slo slo = slo(null, Duration.ZERO);
        SloTracker tracker = new SloTracker(slo, T0);
        AlertBuilder builder = new AlertBuilder();
        tracker.observe(T0.plusSeconds(40), T0, T0.plusSeconds(40), null);
        assertThat(builder.alerts(seen(T0.plusSeconds(40), T0, Map.of(), List.of()), List.of(tracker), List.of(),
                name -> slo)).singleElement().extracting(Alert::startsAt).isEqualTo(T0.plusSeconds(40));
        tracker.observe(T0.plusSeconds(45), T0.plusSeconds(44), T0.plusSeconds(45), null);
        assertThat(builder.alerts(seen(T0.plusSeconds(45), T0.plusSeconds(44), Map.of(), List.of()),
                List.of(tracker), List.of(), name -> slo)).as("fresh again").isEmpty();
        tracker.observe(T0.plusSeconds(90), T0.plusSeconds(44), T0.plusSeconds(90), null);
        assertThat(builder.alerts(seen(T0.plusSeconds(90), T0.plusSeconds(44), Map.of(), List.of()),
                List.of(tracker), List.of(), name -> slo)).singleElement().extracting(Alert::startsAt)
                .isEqualTo(T0.plusSeconds(90));
    }
}
