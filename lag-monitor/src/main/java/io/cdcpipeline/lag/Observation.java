package io.cdcpipeline.lag;

import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.probe.ConsumerLagProbe;
import io.cdcpipeline.lag.probe.SlotProbe;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one round of probes saw, at {@code at}: the newest heartbeat each sink shows, per-table states from the
 * sinks' metrics, the replication slot and, in Connect mode, connectors, consumer groups and source positions. It
 * never changes after the round; the SLOs, alerts, health and the HTTP endpoints all read the same one.
 */
public record Observation(Instant at, Instant heartbeatWritten, Map<String, SinkState> sinks,
        Map<String, Map<String, TableState>> tables, SlotProbe.SlotState slot, String heartbeatProblem,
        List<ConnectProbe.ConnectorState> connectors, Map<String, ConsumerLagProbe.GroupLag> consumerLags,
        List<ConnectSourcePosition.Result> sourcePositions) {

    public Observation {
        sinks = Map.copyOf(sinks);
        tables = Map.copyOf(tables);
        connectors = List.copyOf(connectors);
        consumerLags = Map.copyOf(consumerLags);
        sourcePositions = List.copyOf(sourcePositions);
    }

    /** Before the first round: nothing seen yet. */
    static Observation none(Instant at) {
        return new Observation(at, null, Map.of(), Map.of(), null, null, List.of(), Map.of(), List.of());
    }

    /** The same observation, judged at {@code now} (alerts age with time between rounds). */
    Observation seenAt(Instant now) {
        return now.equals(at) ? this : new Observation(now, heartbeatWritten, sinks, tables, slot, heartbeatProblem,
                connectors, consumerLags, sourcePositions);
    }

    /** The latest state of one sink as the probes saw it. */
    /**
     * @param replicaDelays for a ClickHouse cluster, how far each replica (by URL) is behind the newest heartbeat any
     *                      replica shows; null for one that did not answer; empty for one server
     */
    public record SinkState(String sink, Instant newestVisible, String problem, Map<String, Duration> replicaDelays) {
        public SinkState(String sink, Instant newestVisible, String problem) {
            this(sink, newestVisible, problem, Map.of());
        }
    }

    /**
     * One table of a sink (as the sink's metrics name it: database.table or the index) at the last check: the newest
     * source commit applied ({@code watermark}, null before any), the changes accepted but not acknowledged and the
     * oldest one's commit time, and from these the source time it is complete up to: the sink's newest heartbeat (in
     * commit order, everything before it has reached the sink), or just before its oldest pending change if that is
     * earlier. A table with changes waiting and freshness over the level is the one holding its sink back.
     */
    public record TableState(String sink, String table, Instant watermark, long pending, Instant oldestPending,
            Instant completeUpTo, Duration freshness) {
        public boolean waiting() {
            return pending > 0;
        }
    }
}
