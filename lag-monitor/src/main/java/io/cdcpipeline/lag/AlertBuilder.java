package io.cdcpipeline.lag;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.lag.Observation.TableState;
import io.cdcpipeline.lag.alert.Alert;
import io.cdcpipeline.lag.alert.AlertLabels;
import io.cdcpipeline.lag.alert.AlertSubject;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.slo.Level;
import io.cdcpipeline.lag.slo.SloTracker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The alerts firing now, from the trackers' latest readings, the observation (failed connectors, lost source
 * positions) and persistent consistency drift. An alert keeps the time it started while it fires, and an SLO's alert
 * is held back until its condition has lasted the SLO's {@code for}: a one-check blip pages nobody.
 */
final class AlertBuilder {

    /** When each firing alert (by identity) started. */
    private final Map<String, Instant> starts = new LinkedHashMap<>();

    List<Alert> alerts(Observation seen, List<SloTracker> trackers, List<CopyCheck.Result> persistentDrift,
            Function<String, MonitorConfig.Slo> sloNamed) {
        Instant now = seen.at();
        List<Alert> alerts = new ArrayList<>();
        for (SloTracker tracker : trackers) {
            SloTracker.Reading reading = tracker.last();
            if (reading != null) {
                sloAlerts(seen, tracker, reading, alerts);
            }
        }
        for (ConnectProbe.ConnectorState connector : seen.connectors()) {
            if (connector.failed()) {
                String error = connector.tasks().stream().filter(t -> t.error() != null).map(t -> "task " + t.id()
                        + ": " + t.error()).findFirst().orElse("connector " + connector.state());
                alerts.add(alert(now, AlertLabels.ofConnector("CdcConnectorFailed", connector.name(), "critical"),
                        Map.of("summary", "Connector " + connector.name() + " has failed: " + error, "problem", error)));
            }
        }
        for (ConnectSourcePosition.Result position : seen.sourcePositions()) {
            if (position.flagged()) {
                alerts.add(alert(now, AlertLabels.ofConnector("CdcSourcePositionLost", position.connector(),
                        "critical"), Map.of("summary", "Source connector " + position.connector() + ": "
                                + position.verdict().reason(), "problem", position.verdict().kind().name())));
            }
        }
        for (CopyCheck.Result r : persistentDrift) {
            alerts.add(alert(now, AlertLabels.ofTable("CdcConsistencyDrift", r.sink(), r.table().toString(),
                    "warning"), Map.of("summary", AlertSubject.table(r.sink(), r.table().toString()).sentence()
                            + " differs from Postgres in " + HealthReasons.driftedRows(r) + " rows over two checks "
                            + "in a row (" + r.missingTotal() + " missing, " + r.extraTotal() + " extra, "
                            + r.differingTotal() + " with other values); bin/cdc validate names them, --repair fixes "
                            + "them", "problem", "drift")));
        }
        starts.keySet().retainAll(alerts.stream().map(Alert::identity).toList());
        alerts.removeIf(alert -> {
            String slo = alert.labels().get("slo");
            return !slo.isEmpty() && now.isBefore(alert.startsAt().plus(sloNamed.apply(slo).alertFor()));
        });
        return alerts;
    }

    private void sloAlerts(Observation seen, SloTracker tracker, SloTracker.Reading reading, List<Alert> alerts) {
        MonitorConfig.Slo slo = tracker.slo();
        boolean whole = slo.wholeSink();
        AlertSubject subject = whole ? AlertSubject.sink(slo.sink()) : AlertSubject.table(slo.sink(), tracker.table());
        long freshness = reading.freshness().toSeconds();
        String heldBack = heldBack(seen, slo.sink(), whole ? null : tracker.table());
        String waiting = heldBack.isEmpty() ? "" : "; waiting on " + heldBack;
        if (reading.level() != Level.OK) {
            boolean critical = reading.level() == Level.CRITICAL;
            long threshold = (critical ? slo.critical() : slo.warning()).toSeconds();
            alerts.add(alert(seen.at(), AlertLabels.ofSlo(whole ? "CdcSinkFreshness" : "CdcTableFreshness",
                    slo.sink(), tracker.table(), slo.name(), critical ? "critical" : "warning"),
                    notes(String.format(Locale.ROOT, "%s is %d s behind the source, over the %s level of %d s (SLO "
                            + "%s)%s", subject.sentence(), freshness, critical ? "critical" : "warning", threshold,
                            slo.name(), waiting), freshness, threshold, reading, heldBack)));
        }
        if (reading.stalled()) {
            alerts.add(alert(seen.at(), AlertLabels.ofSlo(whole ? "CdcSinkStalled" : "CdcTableStalled", slo.sink(),
                    tracker.table(), slo.name(), "critical"),
                    notes(String.format(Locale.ROOT, "%s made no progress for %d s while newer changes wait; %d s "
                            + "behind%s", subject.sentence(), slo.stallAfter().toSeconds(), freshness, waiting),
                            freshness, slo.stallAfter().toSeconds(), reading, heldBack)));
        }
    }

    private Alert alert(Instant now, AlertLabels labels, Map<String, String> annotations) {
        Map<String, String> map = labels.map();
        Instant since = starts.computeIfAbsent(new Alert(map, Map.of(), now).identity(), k -> now);
        return new Alert(map, annotations, since);
    }

    private static Map<String, String> notes(String summary, long freshness, long threshold,
            SloTracker.Reading reading, String heldBack) {
        return Map.of("summary", summary, "freshness_seconds", Long.toString(freshness),
                "threshold_seconds", Long.toString(threshold),
                "problem", reading.problem() == null ? "" : reading.problem(),
                "tables_waiting", heldBack);
    }

    /**
     * The tables of a sink with changes waiting, oldest first (at most three), as "name (N changes waiting since T)";
     * only {@code table} if given. Empty when the sink's metrics are not read or nothing waits.
     */
    private static String heldBack(Observation seen, String sink, String table) {
        return seen.tables().getOrDefault(sink, Map.of()).values().stream()
                .filter(t -> t.waiting() && (table == null || t.table().equals(table)))
                .sorted(Comparator.comparing(TableState::completeUpTo))
                .limit(3)
                .map(t -> t.table() + " (" + t.pending() + " changes waiting"
                        + (t.oldestPending() == null ? "" : " since " + t.oldestPending()) + ")")
                .collect(Collectors.joining(", "));
    }
}
