package io.cdcpipeline.lag;

import io.cdcpipeline.lag.Observation.SinkState;
import io.cdcpipeline.lag.Observation.TableState;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.slo.SloTracker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SLO trackers, fed by each round's observation: one per whole-sink SLO from the start, and one per table a
 * per-table SLO covers, from the round that first sees the table in the sink's metrics.
 */
final class SloEvaluation {

    private final MonitorConfig config;
    private final List<SloTracker> trackers = new ArrayList<>();

    SloEvaluation(MonitorConfig config, Instant started) {
        this.config = config;
        config.slos().stream().filter(MonitorConfig.Slo::wholeSink)
                .forEach(slo -> trackers.add(new SloTracker(slo, started)));
    }

    void observe(Observation seen) {
        Instant now = seen.at();
        seen.tables().forEach((sink, states) -> states.keySet().forEach(table -> {
            for (MonitorConfig.Slo slo : config.slos()) {
                if (slo.sink().equals(sink) && slo.covers(table) && trackers.stream().noneMatch(
                        t -> t.slo() == slo && t.table().equals(table))) {
                    trackers.add(new SloTracker(slo, table, now));
                }
            }
        }));
        Instant written = seen.heartbeatWritten();
        for (SloTracker tracker : trackers) {
            SinkState sink = seen.sinks().get(tracker.slo().sink());
            if (tracker.slo().wholeSink()) {
                tracker.observe(now, sink.newestVisible(), written, sink.problem());
                continue;
            }
            TableState table = seen.tables().getOrDefault(sink.sink(), Map.of()).get(tracker.table());
            if (table != null) {
                boolean sinkWaiting = written != null && (sink.newestVisible() == null
                        || written.isAfter(sink.newestVisible()));
                tracker.observe(now, table.completeUpTo(), table.waiting() || sinkWaiting, sink.problem());
            }
        }
    }

    List<SloTracker> trackers() {
        return List.copyOf(trackers);
    }

    MonitorConfig.Slo named(String name) {
        return trackers.stream().map(SloTracker::slo).filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
