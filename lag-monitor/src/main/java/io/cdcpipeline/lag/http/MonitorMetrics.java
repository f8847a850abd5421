package io.cdcpipeline.lag.http;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.lag.LagMonitor;
import io.cdcpipeline.lag.probe.SlotProbe;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The monitor's figures in Prometheus form, read from the monitor at each scrape (no copies to keep in step). Base
 * units as Prometheus asks: seconds, bytes, ratios; counters end in {@code _total}. The generated alert rules
 * ({@code bin/cdc lag rules}) are written against these names.
 */
public final class MonitorMetrics {

    private MonitorMetrics() {
    }

    public static PrometheusRegistry register(LagMonitor monitor) {
        PrometheusRegistry registry = new PrometheusRegistry();
        GaugeWithCallback.builder().name("cdc_sink_freshness_seconds").unit(Unit.SECONDS)
                .help("How far behind the source each SLO's copy is complete: a whole sink (table *: now minus the newest "
                        + "heartbeat it shows) or one table of it")
                .labelNames("sink", "slo", "table")
                .callback(cb -> monitor.trackers().forEach(t -> {
                    if (t.last() != null) {
                        cb.call(t.last().freshness().toMillis() / 1000.0, t.slo().sink(), t.slo().name(), t.table());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("cdc_sink_complete_up_to_timestamp_seconds").unit(Unit.SECONDS)
                .help("Source commit time up to which each sink is complete (its newest visible heartbeat)")
                .labelNames("sink")
                .callback(cb -> monitor.sinks().values().forEach(s -> {
                    if (s.newestVisible() != null) {
                        cb.call(seconds(s.newestVisible()), s.sink());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("cdc_sink_up")
                .help("1 when the last check could read the sink, 0 when it could not")
                .labelNames("sink")
                .callback(cb -> monitor.sinks().values().forEach(s -> cb.call(s.problem() == null ? 1 : 0, s.sink())))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_sink_replica_delay_seconds").unit(Unit.SECONDS)
                .help("For a ClickHouse cluster, how far each replica's newest heartbeat is behind the newest any "
                        + "replica of the sink shows (replication lag); NaN for a replica that did not answer")
                .labelNames("sink", "replica")
                .callback(cb -> monitor.sinks().values().forEach(s -> s.replicaDelays().forEach((replica, delay) ->
                        cb.call(delay == null ? Double.NaN : delay.toMillis() / 1000.0, s.sink(), replica))))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_sink_stalled")
                .help("1 when the sink (table *) or table made no progress for stall.after while newer changes wait")
                .labelNames("sink", "slo", "table")
                .callback(cb -> monitor.trackers().forEach(t -> {
                    if (t.last() != null) {
                        cb.call(t.last().stalled() ? 1 : 0, t.slo().sink(), t.slo().name(), t.table());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("cdc_slo_level")
                .help("The SLO's current level: 0 ok, 1 warning, 2 critical")
                .labelNames("slo", "sink", "table")
                .callback(cb -> monitor.trackers().forEach(t -> {
                    if (t.last() != null) {
                        cb.call(t.last().level().ordinal(), t.slo().name(), t.slo().sink(), t.table());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("cdc_slo_threshold_seconds").unit(Unit.SECONDS)
                .help("The freshness a good minute stays under, per SLO")
                .labelNames("slo", "sink", "table")
                .callback(cb -> monitor.trackers().forEach(t -> cb.call(t.slo().threshold().toSeconds(),
                        t.slo().name(), t.slo().sink(), t.table()))).register(registry);
        GaugeWithCallback.builder().name("cdc_slo_objective_ratio").unit(Unit.RATIO)
                .help("The fraction of good minutes the SLO asks for")
                .labelNames("slo", "sink", "table")
                .callback(cb -> monitor.trackers().forEach(t -> cb.call(t.slo().objective(), t.slo().name(),
                        t.slo().sink(), t.table()))).register(registry);
        GaugeWithCallback.builder().name("cdc_slo_error_budget_remaining_ratio").unit(Unit.RATIO)
                .help("Share of the window's error budget left, over the minutes this monitor process saw")
                .labelNames("slo", "sink", "table")
                .callback(cb -> monitor.trackers().forEach(t -> cb.call(t.errorBudgetLeft(), t.slo().name(),
                        t.slo().sink(), t.table()))).register(registry);
        CounterWithCallback.builder().name("cdc_slo_good_minutes")
                .help("Completed minutes whose worst freshness stayed under the SLO threshold")
                .labelNames("slo", "sink", "table")
                .callback(cb -> monitor.trackers().forEach(t -> cb.call(t.goodMinutes(), t.slo().name(),
                        t.slo().sink(), t.table()))).register(registry);
        CounterWithCallback.builder().name("cdc_slo_minutes")
                .help("Completed minutes measured for the SLO")
                .labelNames("slo", "sink", "table")
                .callback(cb -> monitor.trackers().forEach(t -> cb.call(t.goodMinutes() + t.badMinutes(),
                        t.slo().name(), t.slo().sink(), t.table()))).register(registry);
        GaugeWithCallback.builder().name("cdc_table_freshness_seconds").unit(Unit.SECONDS)
                .help("How far behind the source each table of a sink is complete (sinks whose metrics are read)")
                .labelNames("sink", "table")
                .callback(cb -> monitor.tables().forEach((sink, tables) -> tables.forEach(t -> cb.call(
                        t.freshness().toMillis() / 1000.0, sink, t.table())))).register(registry);
        GaugeWithCallback.builder().name("cdc_table_complete_up_to_timestamp_seconds").unit(Unit.SECONDS)
                .help("Source commit time up to which each table of a sink is complete")
                .labelNames("sink", "table")
                .callback(cb -> monitor.tables().forEach((sink, tables) -> tables.forEach(t -> cb.call(
                        seconds(t.completeUpTo()), sink, t.table())))).register(registry);
        GaugeWithCallback.builder().name("cdc_table_pending_changes")
                .help("Changes of each table the sink accepted and its target has not acknowledged yet")
                .labelNames("sink", "table")
                .callback(cb -> monitor.tables().forEach((sink, tables) -> tables.forEach(t -> cb.call(t.pending(), sink,
                        t.table())))).register(registry);
        GaugeWithCallback.builder().name("cdc_table_watermark_timestamp_seconds").unit(Unit.SECONDS)
                .help("Newest source commit time the sink applied to each table")
                .labelNames("sink", "table")
                .callback(cb -> monitor.tables().forEach((sink, tables) -> tables.forEach(t -> {
                    if (t.watermark() != null) {
                        cb.call(seconds(t.watermark()), sink, t.table());
                    }
                }))).register(registry);
        GaugeWithCallback.builder().name("cdc_heartbeat_last_written_timestamp_seconds").unit(Unit.SECONDS)
                .help("Commit time of the newest heartbeat the monitor wrote to the source")
                .callback(cb -> {
                    Instant last = monitor.lastHeartbeat();
                    if (last != null) {
                        cb.call(seconds(last));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("cdc_replication_slot_retained_wal_bytes").unit(Unit.BYTES)
                .help("WAL the replication slot makes Postgres keep (current LSN minus restart_lsn)")
                .labelNames("slot")
                .callback(cb -> slot(monitor, s -> cb.call(s.retainedBytes(), monitor.config().postgres().slot())))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_replication_slot_retained_wal_limit_bytes").unit(Unit.BYTES)
                .help("WAL the slot may keep before it counts as in trouble (postgres.slot.retained.limit, else half "
                        + "of max_slot_wal_keep_size)")
                .labelNames("slot")
                .callback(cb -> slot(monitor, s -> cb.call(s.limitBytes(), monitor.config().postgres().slot())))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_replication_slot_unconfirmed_wal_bytes").unit(Unit.BYTES)
                .help("WAL its consumer has not confirmed yet (current LSN minus confirmed_flush_lsn)")
                .labelNames("slot")
                .callback(cb -> slot(monitor, s -> cb.call(s.unconfirmedBytes(), monitor.config().postgres().slot())))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_replication_slot_active")
                .help("1 when a consumer is attached to the slot")
                .labelNames("slot", "wal_status")
                .callback(cb -> slot(monitor, s -> cb.call(s.active() ? 1 : 0, monitor.config().postgres().slot(),
                        s.walStatus()))).register(registry);
        CounterWithCallback.builder().name("cdc_lag_monitor_check_errors")
                .help("Checks that failed, by part (heartbeat, slot, sink:<name>)")
                .labelNames("part")
                .callback(cb -> monitor.checkErrors().forEach((part, n) -> cb.call(n, part))).register(registry);
        CounterWithCallback.builder().name("cdc_alert_notifications")
                .help("Alert notifications sent to the webhook, by outcome")
                .labelNames("outcome")
                .callback(cb -> {
                    cb.call(monitor.notifier().sent(), "sent");
                    cb.call(monitor.notifier().failed(), "failed");
                }).register(registry);
        GaugeWithCallback.builder().name("cdc_consumer_group_lag_records")
                .help("Connect mode: records a sink connector's consumer group is behind, per topic")
                .labelNames("connector", "topic")
                .callback(cb -> monitor.consumerLags().forEach((connector, lag) -> lag.recordsByTopic()
                        .forEach((topic, records) -> cb.call(records, connector, topic)))).register(registry);
        GaugeWithCallback.builder().name("cdc_consumer_group_lag_seconds").unit(Unit.SECONDS)
                .help("Connect mode: age of the oldest record a sink connector's consumer group has not consumed "
                        + "(0 when nothing waits); keeps growing while the group commits nothing")
                .labelNames("connector")
                .callback(cb -> monitor.consumerLags().forEach((connector, lag) -> {
                    if (lag.seconds() != null) {
                        cb.call(lag.seconds(), connector);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("cdc_source_position_lost")
                .help("Connect mode: 1 when a Postgres source connector's stored position no longer matches its "
                        + "replication slot (offsets deleted, connector renamed, slot dropped or ahead), else 0")
                .labelNames("connector", "slot", "verdict")
                .callback(cb -> monitor.sourcePositions().forEach(p -> {
                    if (p.verdict() != null) {
                        cb.call(p.flagged() ? 1 : 0, p.connector(), p.slot(), p.verdict().kind().name());
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("cdc_connect_task_running")
                .help("Connect mode: 1 when the task runs, 0 otherwise (the state is a label)")
                .labelNames("connector", "task", "state")
                .callback(cb -> monitor.connectors().forEach(c -> c.tasks().forEach(t -> cb.call(
                        "RUNNING".equals(t.state()) ? 1 : 0, c.name(), Integer.toString(t.id()), t.state()))))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_consistency_drifted_rows")
                .help("Rows of each table whose copy in a sink differs from Postgres at the last consistency check "
                        + "(missing, extra or with other values; a light check counts its sample only)")
                .labelNames("sink", "table")
                .callback(cb -> monitor.consistency().stream().filter(r -> r.status() != CopyCheck.Status.NOT_CHECKED)
                        .forEach(r -> cb.call(LagMonitor.driftedRows(r), r.sink(), r.table().toString())))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_consistency_rows_checked")
                .help("Rows the last consistency check compared per table and sink (all of them, or the sample)")
                .labelNames("sink", "table")
                .callback(cb -> monitor.consistency().stream().filter(r -> r.status() != CopyCheck.Status.NOT_CHECKED)
                        .forEach(r -> cb.call(r.rowsCompared(), r.sink(), r.table().toString())))
                .register(registry);
        GaugeWithCallback.builder().name("cdc_consistency_last_check_timestamp_seconds").unit(Unit.SECONDS)
                .help("When the last consistency check finished")
                .callback(cb -> {
                    Instant at = monitor.consistencyCheckedAt();
                    if (at != null) {
                        cb.call(seconds(at));
                    }
                }).register(registry);
        return registry;
    }

    private static void slot(LagMonitor monitor, Consumer<SlotProbe.SlotState> use) {
        SlotProbe.SlotState state = monitor.slotState();
        if (state != null && state.exists()) {
            use.accept(state);
        }
    }

    private static double seconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }

}
