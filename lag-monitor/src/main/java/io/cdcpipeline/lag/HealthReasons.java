package io.cdcpipeline.lag;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.lag.alert.AlertSubject;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.slo.Level;
import io.cdcpipeline.lag.slo.SloTracker;
import java.util.ArrayList;
import java.util.List;

/**
 * Why the pipeline is unhealthy, as /health reports it: an uncaptured heartbeat table, a replication slot in trouble,
 * a lost source position, a failed connector, persistent drift, a stalled sink or a critically breached SLO. Empty
 * when it is healthy.
 */
final class HealthReasons {

    private HealthReasons() {
    }

    static List<String> of(Observation seen, String slotName, List<SloTracker> trackers,
            List<CopyCheck.Result> persistentDrift) {
        List<String> reasons = new ArrayList<>();
        if (seen.heartbeatProblem() != null) {
            reasons.add(seen.heartbeatProblem());
        }
        String slotTrouble = seen.slot() == null ? null : seen.slot().trouble(slotName);
        if (slotTrouble != null) {
            reasons.add(slotTrouble);
        }
        for (ConnectSourcePosition.Result position : seen.sourcePositions()) {
            if (position.flagged()) {
                reasons.add("source connector " + position.connector() + ": " + position.verdict().reason());
            }
        }
        for (ConnectProbe.ConnectorState connector : seen.connectors()) {
            if (connector.failed()) {
                reasons.add("connector " + connector.name() + " has failed (" + connector.state() + ", tasks "
                        + connector.tasks().stream().map(t -> t.id() + ":" + t.state()).toList() + ")");
            }
        }
        for (CopyCheck.Result r : persistentDrift) {
            reasons.add(AlertSubject.table(r.sink(), r.table().toString()) + " differs from Postgres in "
                    + driftedRows(r) + " rows (two consistency checks in a row)");
        }
        for (SloTracker tracker : trackers) {
            SloTracker.Reading reading = tracker.last();
            if (reading == null) {
                continue;
            }
            AlertSubject subject = tracker.slo().wholeSink() ? AlertSubject.sink(tracker.slo().sink())
                    : AlertSubject.table(tracker.slo().sink(), tracker.table());
            if (reading.stalled()) {
                reasons.add(subject + " is stalled (" + reading.freshness().toSeconds() + " s behind, no progress for "
                        + tracker.slo().stallAfter().toSeconds() + " s)");
            }
            if (reading.level() == Level.CRITICAL) {
                reasons.add("SLO " + tracker.slo().name() + ": " + subject + " is " + reading.freshness().toSeconds()
                        + " s behind (critical at " + tracker.slo().critical().toSeconds() + " s)");
            }
        }
        return reasons;
    }

    /** Rows a check counts as drifted. */
    static long driftedRows(CopyCheck.Result r) {
        return r.missingTotal() + r.extraTotal() + r.differingTotal();
    }
}
