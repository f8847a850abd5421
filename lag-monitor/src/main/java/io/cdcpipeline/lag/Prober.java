package io.cdcpipeline.lag;

import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.lag.Observation.SinkState;
import io.cdcpipeline.lag.Observation.TableState;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.probe.ConsumerLagProbe;
import io.cdcpipeline.lag.probe.HeartbeatWriter;
import io.cdcpipeline.lag.probe.SinkHttp;
import io.cdcpipeline.lag.probe.SinkProbe;
import io.cdcpipeline.lag.probe.SinkTablesProbe;
import io.cdcpipeline.lag.probe.SlotProbe;
import io.cdcpipeline.lag.probe.SourcePositionProbe;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round of reading: each sink's newest visible heartbeat, the per-table metrics of sinks that export them, the
 * replication slot and whether the heartbeat table is captured, and in Connect mode the connectors, their consumer
 * groups and the sources' stored positions. A part that cannot be read keeps what the previous round saw (a sink's
 * newest heartbeat, a table's state), so freshness keeps growing with time instead of vanishing.
 */
final class Prober implements AutoCloseable {

    private final MonitorConfig config;
    private final HeartbeatWriter heartbeat;
    private final ProbeFailures failures;
    private final Instant started;
    private final SlotProbe slot;
    private final Map<String, SinkProbe> sinks = new LinkedHashMap<>();
    private final Map<String, SinkTablesProbe> tables = new LinkedHashMap<>();
    private final ConnectProbe connect;
    private final ConsumerLagProbe consumerLag;
    private final SourcePositionProbe positions;

    Prober(MonitorConfig config, HeartbeatWriter heartbeat, Map<String, SinkHttp> sinkHttp, HttpClient http,
            ProbeFailures failures, Instant started) {
        this.config = config;
        this.heartbeat = heartbeat;
        this.failures = failures;
        this.started = started;
        this.slot = config.postgres().slot() == null ? null : new SlotProbe(config.postgres());
        config.sinks().forEach((name, sink) -> {
            sinks.put(name, SinkProbe.of(sink, sinkHttp.get(name)));
            if (sink.metrics() != null) {
                tables.put(name, new SinkTablesProbe(sink));
            }
        });
        this.connect = config.connect() == null ? null : new ConnectProbe(config.connect().url(), http);
        this.consumerLag = config.connect() == null ? null : new ConsumerLagProbe(config.connect().kafka());
        this.positions = config.connect() == null ? null
                : new SourcePositionProbe(config.connect().url(), http, config.postgres());
    }

    Observation read(Instant now, Observation previous) {
        Map<String, SinkState> sinkStates = new LinkedHashMap<>();
        sinks.forEach((name, probe) -> sinkStates.put(name, readSink(name, probe, previous.sinks().get(name))));

        SlotProbe.SlotState slotState = previous.slot();
        String heartbeatProblem = previous.heartbeatProblem();
        if (slot != null) {
            try {
                slotState = slot.read();
                heartbeatProblem = heartbeat.check(); // the publication may appear (or lose the table) any time
                failures.worked("slot", "reading replication slot " + config.postgres().slot());
            } catch (Exception e) {
                failures.failed("slot", "reading replication slot " + config.postgres().slot(), e);
            }
        }

        List<ConnectProbe.ConnectorState> connectors = previous.connectors();
        Map<String, ConsumerLagProbe.GroupLag> lags = previous.consumerLags();
        List<ConnectSourcePosition.Result> sourcePositions = previous.sourcePositions();
        if (connect != null) {
            try {
                connectors = connect.read();
                failures.worked("connect", "reading the Connect cluster's connectors");
                lags = readConsumerLags(connectors, now);
                sourcePositions = readPositions(connectors, sourcePositions);
            } catch (Exception e) {
                failures.failed("connect", "reading the Connect cluster's connectors", e);
            }
        }

        Map<String, Map<String, TableState>> tableStates = new LinkedHashMap<>(previous.tables());
        tables.forEach((name, probe) -> readTables(name, probe, sinkStates.get(name), now, tableStates));
        return new Observation(now, heartbeat.lastWritten(), sinkStates, tableStates, slotState, heartbeatProblem,
                connectors, lags, sourcePositions);
    }

    private SinkState readSink(String name, SinkProbe probe, SinkState before) {
        Instant visible = null;
        String problem = null;
        try {
            visible = probe.newestHeartbeat();
            failures.worked("sink:" + name, "reading sink " + name);
        } catch (Exception e) {
            problem = e.getMessage() == null ? e.toString() : e.getMessage();
            failures.failed("sink:" + name, "reading sink " + name, e);
        }
        Instant newest = visible != null ? visible : before == null ? null : before.newestVisible();
        return new SinkState(name, newest, problem, probe.replicaDelays());
    }

    private Map<String, ConsumerLagProbe.GroupLag> readConsumerLags(List<ConnectProbe.ConnectorState> connectors,
            Instant now) {
        Map<String, ConsumerLagProbe.GroupLag> read = new LinkedHashMap<>();
        for (ConnectProbe.ConnectorState connector : connectors) {
            boolean watched = config.connect().connectors().isEmpty()
                    ? "sink".equals(connector.type()) : config.connect().connectors().contains(connector.name());
            if (!watched) {
                continue;
            }
            String what = "reading the consumer group of connector " + connector.name() + " in Kafka";
            try {
                read.put(connector.name(), consumerLag.read(ConsumerLagProbe.groupOf(connector.name()), now));
                failures.worked("kafka:" + connector.name(), what);
            } catch (Exception e) {
                failures.failed("kafka:" + connector.name(), what, e);
            }
        }
        return read;
    }

    private List<ConnectSourcePosition.Result> readPositions(List<ConnectProbe.ConnectorState> connectors,
            List<ConnectSourcePosition.Result> before) {
        try {
            List<ConnectSourcePosition.Result> read = positions.read(connectors);
            failures.worked("source-position", "checking the source connectors' stored positions");
            return read;
        } catch (RuntimeException e) {
            failures.failed("source-position", "checking the source connectors' stored positions", e);
            return before;
        }
    }

    /** Reads a sink's per-table metrics and works out each table's "complete up to". */
    private void readTables(String name, SinkTablesProbe probe, SinkState sink, Instant now,
            Map<String, Map<String, TableState>> out) {
        Map<String, SinkTablesProbe.TableMetrics> read;
        try {
            read = probe.read();
            failures.worked("tables:" + name, "reading the per-table metrics of sink " + name);
        } catch (Exception e) {
            failures.failed("tables:" + name, "reading the per-table metrics of sink " + name, e);
            return; // the tables keep their last state: freshness grows with 'now' through the trackers
        }
        Instant sinkComplete = sink.newestVisible() != null ? sink.newestVisible() : started;
        String heartbeatTarget = config.sinks().get(name).heartbeatTarget();
        Map<String, TableState> states = new LinkedHashMap<>();
        for (SinkTablesProbe.TableMetrics table : read.values()) {
            if (table.table().equals(heartbeatTarget)) {
                continue;
            }
            Instant watermark = table.watermarkMs() > 0 ? Instant.ofEpochMilli(table.watermarkMs()) : null;
            Instant oldest = table.pending() > 0 && table.oldestPendingMs() > 0
                    ? Instant.ofEpochMilli(table.oldestPendingMs()) : null;
            Instant complete = sinkComplete;
            if (oldest != null && oldest.minusMillis(1).isBefore(complete)) {
                complete = oldest.minusMillis(1);
            } else if (table.pending() > 0 && oldest == null && watermark != null && watermark.isBefore(complete)) {
                complete = watermark; // pending changes without a source time: vouch only for what was applied
            }
            Duration freshness = Duration.between(complete, now);
            states.put(table.table(), new TableState(name, table.table(), watermark, table.pending(), oldest, complete,
                    freshness.isNegative() ? Duration.ZERO : freshness));
        }
        out.put(name, states);
    }

    @Override
    public void close() {
        tables.values().forEach(SinkTablesProbe::close);
        if (consumerLag != null) {
            consumerLag.close();
        }
    }
}
