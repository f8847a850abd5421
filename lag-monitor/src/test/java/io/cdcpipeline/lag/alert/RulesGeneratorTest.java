package io.cdcpipeline.lag.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated rules go through Prometheus's own promtool (Debian's prometheus package, installed by
 * {@code bin/cdc stack up --for-tests}): {@code check rules} accepts them, and {@code test rules} proves on synthetic series that
 * a sustained breach pages within half an hour while a two-minute blip fires nothing.
 */
class RulesGeneratorTest {

    static MonitorConfig config() {
        MonitorConfig.Slo search = new MonitorConfig.Slo("search-freshness", "search", null, Duration.ofSeconds(30),
                0.99, Duration.ofDays(30), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofMinutes(1),
                Duration.ZERO);
        MonitorConfig.Slo blip = new MonitorConfig.Slo("blip", "analytics", null, Duration.ofMinutes(5), 0.99,
                Duration.ofDays(30), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ZERO);
        MonitorConfig.Slo tables = new MonitorConfig.Slo("analytics-tables", "analytics", "shop.*",
                Duration.ofMinutes(1), 0.99, Duration.ofDays(30), Duration.ofSeconds(40), Duration.ofMinutes(1),
                Duration.ofMinutes(1), Duration.ZERO);
        return new MonitorConfig(new MonitorConfig.Postgres("jdbc:postgresql://h/db", "u", "", null),
                new MonitorConfig.Heartbeat("public.cdc_heartbeat", Duration.ofSeconds(5)), Duration.ofSeconds(5),
                Map.of(), List.of(search, blip, tables), new MonitorConfig.Alerts(null, List.of("sink"), Duration.ZERO,
                Duration.ofHours(4)), 0, null, "127.0.0.1", null, null);
    }

    static String promtool(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    @Test
    void promtoolAcceptsTheRules(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.yml"), RulesGenerator.generate(config()));
        assertThat(promtool(dir, "check", "rules", "rules.yml")).contains("SUCCESS");
    }

    @Test
    void aSustainedBreachPagesAndABlipDoesNotPerSinkAndPerTable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.yml"), RulesGenerator.generate(config()));
        String summary = "Sink search (all tables) spends the error budget of SLO search-freshness (99 % of minutes under 30 s) "
                + "too fast";
        Files.writeString(dir.resolve("test.yml"), """
                rule_files: [rules.yml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      # search: every minute good for 4600 min (over the 3-day window), then every minute bad
                      - series: 'cdc_slo_minutes_total{slo="search-freshness",sink="search",table="*"}'
                        values: '0+1x4700'
                      - series: 'cdc_slo_good_minutes_total{slo="search-freshness",sink="search",table="*"}'
                        values: '0+1x4600 4600x100'
                      - series: 'cdc_sink_freshness_seconds{slo="search-freshness",sink="search",table="*"}'
                        values: '2x4600 42x100'
                      # analytics: one blip of two bad minutes at minute 4500, good before and after
                      - series: 'cdc_slo_minutes_total{slo="blip",sink="analytics",table="*"}'
                        values: '0+1x4700'
                      - series: 'cdc_slo_good_minutes_total{slo="blip",sink="analytics",table="*"}'
                        values: '0+1x4500 4500x1 4501+1x198'
                      # per-table SLO: shop.orders breaks from minute 4600, shop.customers stays good
                      - series: 'cdc_slo_minutes_total{slo="analytics-tables",sink="analytics",table="shop.orders"}'
                        values: '0+1x4700'
                      - series: 'cdc_slo_good_minutes_total{slo="analytics-tables",sink="analytics",table="shop.orders"}'
                        values: '0+1x4600 4600x100'
                      - series: 'cdc_sink_freshness_seconds{slo="analytics-tables",sink="analytics",table="shop.orders"}'
                        values: '1x4600 95x100'
                      - series: 'cdc_slo_minutes_total{slo="analytics-tables",sink="analytics",table="shop.customers"}'
                        values: '0+1x4700'
                      - series: 'cdc_slo_good_minutes_total{slo="analytics-tables",sink="analytics",table="shop.customers"}'
                        values: '0+1x4700'
                    alert_rule_test:
                      - eval_time: 4510m
                        alertname: CdcFreshnessBudgetBurn
                        exp_alerts: []
                      - eval_time: 4630m
                        alertname: CdcFreshnessBudgetBurn
                        exp_alerts:
                          - exp_labels: {severity: page, slo: search-freshness, sink: search, table: "*"}
                            exp_annotations: {summary: "%1$s", threshold_seconds: "30", freshness_seconds: "42"}
                          - exp_labels: {severity: page, slo: analytics-tables, sink: analytics, table: shop.orders}
                            exp_annotations: {summary: "%2$s", threshold_seconds: "60", freshness_seconds: "95"}
                """.formatted(summary, "Table shop.orders of sink analytics spends the error budget of SLO "
                + "analytics-tables (99 % of minutes under 60 s) too fast"));
        assertThat(promtool(dir, "test", "rules", "test.yml")).contains("SUCCESS");
    }

    /**
     * The other rules on synthetic series: a steady 5x burn (5 % bad minutes against a 1 % budget, from minute 600)
     * opens a ticket once the long windows see it, never a page; a stalled sink pages; a slot that lost WAL (or is missing) pages at once; one
     * keeping more WAL than its limit opens a ticket after five minutes, not before.
     */
    @Test
    void aSlowBurnTicketsAStallPagesAndSlotTroubleIsRaisedBySeverity(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.yml"), RulesGenerator.generate(config()));
        String burn = "Sink search (all tables) spends the error budget of SLO search-freshness (99 % of minutes under 30 s) too fast";
        Files.writeString(dir.resolve("test.yml"), """
                rule_files: [rules.yml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'cdc_slo_minutes_total{slo="search-freshness",sink="search",table="*"}'
                        values: '0+1x1600'
                      - series: 'cdc_slo_good_minutes_total{slo="search-freshness",sink="search",table="*"}'
                        values: '0+1x600 600.95+0.95x999'
                      - series: 'cdc_sink_freshness_seconds{slo="search-freshness",sink="search",table="*"}'
                        values: '31x1600'
                      - series: 'cdc_sink_stalled{slo="search-freshness",sink="search",table="*"}'
                        values: '0x10 1x1590'
                      - series: 'cdc_replication_slot_active{slot="ok",wal_status="reserved"}'
                        values: '1x1600'
                      - series: 'cdc_replication_slot_retained_wal_bytes{slot="ok"}'
                        values: '100x1600'
                      - series: 'cdc_replication_slot_retained_wal_limit_bytes{slot="ok"}'
                        values: '1000x1600'
                      - series: 'cdc_replication_slot_active{slot="gone",wal_status="lost"}'
                        values: '0x1600'
                      - series: 'cdc_replication_slot_active{slot="piling",wal_status="reserved"}'
                        values: '1x1600'
                      - series: 'cdc_replication_slot_retained_wal_bytes{slot="piling"}'
                        values: '100x1000 5000x600'
                      - series: 'cdc_replication_slot_retained_wal_limit_bytes{slot="piling"}'
                        values: '1000x1600'
                    alert_rule_test:
                      - eval_time: 5m
                        alertname: CdcSinkStalled
                        exp_alerts: []
                      - eval_time: 20m
                        alertname: CdcSinkStalled
                        exp_alerts:
                          - exp_labels: {severity: page, slo: search-freshness, sink: search, table: "*"}
                            exp_annotations: {summary: "Sink search (table *) makes no progress while changes wait in the source"}
                      - eval_time: 700m
                        alertname: CdcFreshnessBudgetBurn
                        exp_alerts: []
                      - eval_time: 1560m
                        alertname: CdcFreshnessBudgetBurn
                        exp_alerts:
                          - exp_labels: {severity: ticket, slo: search-freshness, sink: search, table: "*"}
                            exp_annotations: {summary: "%s", threshold_seconds: "30", freshness_seconds: "31"}
                      - eval_time: 2m
                        alertname: CdcReplicationSlotAtRisk
                        exp_alerts:
                          - exp_labels: {severity: page, slot: gone, wal_status: lost}
                            exp_annotations: {summary: "Replication slot gone is lost: changes are lost or about to be (lost: take a new snapshot and run bin/cdc validate)"}
                      - eval_time: 1003m
                        alertname: CdcReplicationSlotTrouble
                        exp_alerts:
                          - exp_labels: {severity: ticket, slot: gone, wal_status: lost}
                            exp_annotations: {summary: "%s"}
                      - eval_time: 1010m
                        alertname: CdcReplicationSlotTrouble
                        exp_alerts:
                          - exp_labels: {severity: ticket, slot: gone, wal_status: lost}
                            exp_annotations: {summary: "%2$s"}
                          - exp_labels: {severity: ticket, slot: piling}
                            exp_annotations: {summary: "%3$s"}
                """.formatted(burn, "Replication slot gone is inactive, keeps WAL beyond max_wal_size (extended) or "
                + "above its retained-WAL limit: is its connector stopped or behind?",
                "Replication slot piling is inactive, keeps WAL beyond max_wal_size (extended) or above its "
                + "retained-WAL limit: is its connector stopped or behind?"));
        assertThat(promtool(dir, "test", "rules", "test.yml")).contains("SUCCESS");
    }

    /**
     * Connect mode: a sink connector whose consumer group holds a record older than the sink's critical level opens a
     * ticket; the age keeps rising while the group commits nothing, so a stuck connector is named even when no
     * heartbeat arrives.
     */
    @Test
    void aConsumerGroupHoldingOldRecordsOpensATicket(@TempDir Path dir) throws Exception {
        MonitorConfig base = config();
        MonitorConfig connect = new MonitorConfig(base.postgres(), base.heartbeat(), base.checkInterval(),
                Map.of("search", new MonitorConfig.Sink("search", MonitorConfig.Sink.Kind.ELASTICSEARCH, "http://es",
                        null, "cdc_heartbeat", new MonitorConfig.SinkMetrics(null, "shop-es-sink"))),
                base.slos(), base.alerts(), 0, new MonitorConfig.Connect(URI.create("http://connect:8083"),
                        "kafka:9092", List.of()), "127.0.0.1", null, null);
        Files.writeString(dir.resolve("rules.yml"), RulesGenerator.generate(connect));
        Files.writeString(dir.resolve("test.yml"), """
                rule_files: [rules.yml]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'cdc_consumer_group_lag_seconds{connector="shop-es-sink"}'
                        values: '0x10 20+60x20'
                    alert_rule_test:
                      - eval_time: 10m
                        alertname: CdcConsumerGroupBehind
                        exp_alerts: []
                      - eval_time: 15m
                        alertname: CdcConsumerGroupBehind
                        exp_alerts:
                          - exp_labels: {severity: ticket, sink: search, connector: shop-es-sink}
                            exp_annotations: {summary: "Connector shop-es-sink (sink search) has not consumed a record that is 260 s old (critical: 30 s)"}
                """);
        assertThat(promtool(dir, "test", "rules", "test.yml")).contains("SUCCESS");
    }
}
