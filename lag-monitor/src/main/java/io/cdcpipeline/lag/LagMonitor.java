package io.cdcpipeline.lag;

import io.cdcpipeline.lag.alert.Alert;
import io.cdcpipeline.lag.alert.WebhookNotifier;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.probe.SourcePositionProbe;
import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.embedded.Consistency;
import io.cdcpipeline.lag.probe.ConsumerLagProbe;
import io.cdcpipeline.lag.probe.FreshnessPublisher;
import io.cdcpipeline.lag.probe.HeartbeatWriter;
import io.cdcpipeline.lag.probe.SinkProbe;
import io.cdcpipeline.lag.probe.SinkTablesProbe;
import io.cdcpipeline.lag.probe.SlotProbe;
import io.cdcpipeline.lag.slo.Level;
import io.cdcpipeline.lag.slo.SloTracker;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor: commits heartbeats, reads the newest one each sink shows and the replication slot, feeds the SLO
 * trackers and turns their readings into alerts. {@link #check()} is one round; {@link #start()} runs heartbeats
 * and checks on their intervals.
 */
public final class LagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    /** The latest state of one sink as the checks saw it. */
    public record SinkState(String sink, Instant newestVisible, String problem) {
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

    private final MonitorConfig config;
    private final Clock clock;
    private final HeartbeatWriter heartbeat;
    private final SlotProbe slot;
    private final Map<String, SinkProbe> probes = new LinkedHashMap<>();
    private final Map<String, FreshnessPublisher> publishers = new LinkedHashMap<>();
    private final Map<String, SinkTablesProbe> tableProbes = new LinkedHashMap<>();
    private final Map<String, Map<String, TableState>> tables = new LinkedHashMap<>();
    private final Instant started;
    private Instant lastPublished = Instant.EPOCH;
    /** How often "complete up to" is written into the sinks for BI and search users. */
    static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(10);
    private final List<SloTracker> trackers = new ArrayList<>();
    private final WebhookNotifier notifier;
    private final Map<String, SinkState> sinks = new LinkedHashMap<>();
    private final Map<String, Instant> alertStarts = new LinkedHashMap<>();
    private volatile SlotProbe.SlotState slotState;
    private volatile String heartbeatProblem;
    private final Map<String, Long> checkErrors = new LinkedHashMap<>();
    private ScheduledExecutorService scheduler;
    private final ConnectProbe connect;
    private final ConsumerLagProbe consumerLag;
    private volatile List<ConnectProbe.ConnectorState> connectors = List.of();
    private final SourcePositionProbe positionProbe;
    private volatile List<ConnectSourcePosition.Result> positions = List.of();
    private volatile Map<String, ConsumerLagProbe.GroupLag> lags = Map.of();
    /** The last consistency check's results, when consistency checks are configured. */
    private volatile List<CopyCheck.Result> consistency = List.of();
    private volatile Instant consistencyCheckedAt;
    /** Per sink and table ("sink table"), how many checks in a row found drift. */
    private final Map<String, Integer> driftStreaks = new java.util.concurrent.ConcurrentHashMap<>();

    public LagMonitor(MonitorConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.heartbeat = new HeartbeatWriter(config.postgres(), config.heartbeat(), clock);
        this.slot = config.postgres().slot() == null ? null : new SlotProbe(config.postgres());
        config.sinks().forEach((name, sink) -> {
            io.cdcpipeline.lag.probe.SinkHttp sinkHttp = io.cdcpipeline.lag.probe.SinkHttp.of(sink);
            probes.put(name, SinkProbe.of(sink, sinkHttp));
            publishers.put(name, new FreshnessPublisher(sink, sinkHttp));
            if (sink.metrics() != null) {
                tableProbes.put(name, new SinkTablesProbe(sink));
            }
        });
        Instant now = clock.instant();
        this.started = now;
        config.slos().stream().filter(MonitorConfig.Slo::wholeSink).forEach(slo -> trackers.add(new SloTracker(slo, now)));
        this.notifier = new WebhookNotifier(config.alerts(), http);
        this.connect = config.connect() == null ? null : new ConnectProbe(config.connect().url(), http);
        this.consumerLag = config.connect() == null ? null : new ConsumerLagProbe(config.connect().kafka());
        this.positionProbe = config.connect() == null ? null
                : new SourcePositionProbe(config.connect().url(), http, config.postgres());
    }

    /**
     * Prepares the source: creates the heartbeat table if missing. Whether it is captured is checked at every round
     * (a runner creates its publication when it first starts, after this).
     */
    public void prepare() throws Exception {
        heartbeat.createTable();
    }

    public void start() {
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread thread = new Thread(r, "cdc-lag-monitor");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::beatQuietly, 0, config.heartbeat().interval().toMillis(),
                TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::checkQuietly, config.checkInterval().toMillis(),
                config.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (config.consistency() != null) {
            // A thread of its own: a full check of a large table takes long and must not hold up freshness checks.
            ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "cdc-lag-monitor-consistency");
                thread.setDaemon(true);
                return thread;
            });
            consistencyScheduler = checks;
            checks.scheduleWithFixedDelay(this::checkConsistencyQuietly, 0, config.consistency().every().toMillis(),
                    TimeUnit.MILLISECONDS);
            long watch = config.consistency().schemaWatch().toMillis();
            if (watch > 0) {
                checks.scheduleWithFixedDelay(this::watchSchemasQuietly, 0, watch, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Per table checked, its columns and types as last read from Postgres. */
    private final Map<io.cdcpipeline.core.TableId, Map<String, String>> columnsSeen = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong schemaChecks = new java.util.concurrent.atomic.AtomicLong();

    private void watchSchemasQuietly() {
        try {
            watchSchemas();
        } catch (Exception e) {
            error("consistency", e);
        }
    }

    /**
     * Reads the checked tables' columns from Postgres; a table whose columns changed since the last reading (a
     * column added, dropped, renamed or retyped: what SchemaChangeSignal marks on the stream, seen here at its source,
     * in either runtime) is checked again, alone, once the change had {@code settle} to reach the copies.
     */
    void watchSchemas() throws Exception {
        MonitorConfig.Consistency c = config.consistency();
        Map<io.cdcpipeline.core.TableId, Map<String, String>> now = Consistency.columns(c.pipeline(),
                c.connectConfigs(), c.tables());
        for (Map.Entry<io.cdcpipeline.core.TableId, Map<String, String>> table : now.entrySet()) {
            Map<String, String> before = columnsSeen.put(table.getKey(), table.getValue());
            if (before != null && !before.equals(table.getValue())) {
                LOG.info("Consistency: the columns of {} changed ({} -> {}); checking it in {}", table.getKey(),
                        before, table.getValue(), c.settle());
                consistencyScheduler.schedule(() -> {
                    try {
                        checkTables(List.of(table.getKey().toString()));
                        schemaChecks.incrementAndGet();
                    } catch (Exception e) {
                        error("consistency", e);
                    }
                }, c.settle().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Checks run because a table's columns changed, since the start. */
    public long schemaChangeChecks() {
        return schemaChecks.get();
    }

    private ScheduledExecutorService consistencyScheduler;

    private void checkConsistencyQuietly() {
        try {
            checkConsistency();
        } catch (Exception e) {
            error("consistency", e);
        }
    }

    /** One consistency check of every configured table and sink, as bin/cdc validate does it. */
    public void checkConsistency() throws Exception {
        checkTables(config.consistency().tables());
    }

    /** A check of these tables (empty: every configured one); their results replace theirs of the last check. */
    private synchronized void checkTables(List<String> tables) throws Exception {
        MonitorConfig.Consistency c = config.consistency();
        java.nio.file.Path work = java.nio.file.Files.createTempDirectory("cdc-lag-consistency-");
        try {
            List<CopyCheck.Result> results = Consistency.check(c.pipeline(), c.connectConfigs(), tables,
                    new CopyCheck.Options(10_000, c.settle(), 2, work, c.light()));
            for (CopyCheck.Result r : results) {
                String id = r.sink() + " " + r.table();
                if (r.drifted()) {
                    int streak = driftStreaks.merge(id, 1, Integer::sum);
                    LOG.warn("Consistency: {} in sink {} differs from Postgres ({} missing, {} extra, {} with other "
                            + "values; {} checks in a row)", r.table(), r.sink(), r.missingTotal(), r.extraTotal(),
                            r.differingTotal(), streak);
                } else {
                    driftStreaks.remove(id);
                }
            }
            List<CopyCheck.Result> merged = new ArrayList<>(results);
            for (CopyCheck.Result kept : consistency) {
                if (results.stream().noneMatch(r -> r.sink().equals(kept.sink()) && r.table().equals(kept.table()))) {
                    merged.add(kept);
                }
            }
            consistency = List.copyOf(merged);
            consistencyCheckedAt = clock.instant();
        } finally {
            try (var files = java.nio.file.Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The last consistency check's results (empty before the first, or when none are configured). */
    public List<CopyCheck.Result> consistency() {
        return consistency;
    }

    /** When the last consistency check finished, or null. */
    public Instant consistencyCheckedAt() {
        return consistencyCheckedAt;
    }

    /** Rows a result counts as drifted. */
    public static long driftedRows(CopyCheck.Result r) {
        return r.missingTotal() + r.extraTotal() + r.differingTotal();
    }

    /** Whether a table and sink drifted in at least two checks in a row (an alert, and a health reason). */
    private boolean driftPersists(CopyCheck.Result r) {
        return r.drifted() && driftStreaks.getOrDefault(r.sink() + " " + r.table(), 0) >= 2;
    }

    private void beatQuietly() {
        try {
            heartbeat.beat();
        } catch (Exception e) {
            error("heartbeat", e);
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            error("check", e);
        }
    }

    private synchronized void error(String component, Exception e) {
        checkErrors.merge(component, 1L, Long::sum);
        LOG.warn("Lag monitor {} failed: {}", component, e.getMessage());
    }

    /** One round: read every sink and the slot, update the SLOs, send what alerts call for. */
    public synchronized void check() {
        Instant now = clock.instant();
        for (Map.Entry<String, SinkProbe> probe : probes.entrySet()) {
            Instant visible = null;
            String problem = null;
            try {
                visible = probe.getValue().newestHeartbeat();
            } catch (Exception e) {
                problem = e.getMessage() == null ? e.toString() : e.getMessage();
                checkErrors.merge("sink:" + probe.getKey(), 1L, Long::sum);
            }
            SinkState before = sinks.get(probe.getKey());
            Instant newest = visible != null ? visible : before == null ? null : before.newestVisible();
            sinks.put(probe.getKey(), new SinkState(probe.getKey(), newest, problem));
        }
        if (slot != null) {
            try {
                slotState = slot.read();
                heartbeatProblem = heartbeat.check(); // the publication may appear (or lose the table) any time
            } catch (Exception e) {
                checkErrors.merge("slot", 1L, Long::sum);
            }
        }
        if (connect != null) {
            readConnect(now);
        }
        Instant written = heartbeat.lastWritten();
        tableProbes.forEach((name, probe) -> readTables(name, probe, now, written));
        for (SloTracker tracker : trackers) {
            SinkState sink = sinks.get(tracker.slo().sink());
            if (tracker.slo().wholeSink()) {
                tracker.observe(now, sink.newestVisible(), written, sink.problem());
                continue;
            }
            TableState table = tables.getOrDefault(sink.sink(), Map.of()).get(tracker.table());
            if (table != null) {
                boolean sinkWaiting = written != null && (sink.newestVisible() == null
                        || written.isAfter(sink.newestVisible()));
                tracker.observe(now, table.completeUpTo(), table.waiting() || sinkWaiting, sink.problem());
            }
        }
        notifier.update(now, alerts(now));
        if (!now.isBefore(lastPublished.plus(PUBLISH_INTERVAL))) {
            lastPublished = now;
            publishers.forEach((name, publisher) -> {
                SinkState sink = sinks.get(name);
                if (sink.newestVisible() != null && sink.problem() == null) {
                    try {
                        Map<String, Instant> complete = new LinkedHashMap<>();
                        tables.getOrDefault(name, Map.of()).forEach((t, state) -> complete.put(t, state.completeUpTo()));
                        publisher.publish(sink.newestVisible(), complete, now);
                    } catch (Exception e) {
                        checkErrors.merge("publish:" + name, 1L, Long::sum);
                        LOG.warn("Writing freshness into sink {} failed: {}", name, e.getMessage());
                    }
                }
            });
        }
    }

    /** Reads a sink's per-table metrics and works out each table's "complete up to"; starts trackers for new tables. */
    private void readTables(String name, SinkTablesProbe probe, Instant now, Instant written) {
        Map<String, SinkTablesProbe.TableMetrics> read;
        try {
            read = probe.read();
        } catch (Exception e) {
            checkErrors.merge("tables:" + name, 1L, Long::sum);
            LOG.warn("Reading the per-table metrics of sink {} failed: {}", name, e.getMessage());
            return; // the tables keep their last state: freshness grows with 'now' through the trackers
        }
        SinkState sink = sinks.get(name);
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
            for (MonitorConfig.Slo slo : config.slos()) {
                if (slo.sink().equals(name) && slo.covers(table.table()) && trackers.stream().noneMatch(
                        t -> t.slo() == slo && t.table().equals(table.table()))) {
                    trackers.add(new SloTracker(slo, table.table(), now));
                }
            }
        }
        tables.put(name, states);
    }

    private void readConnect(Instant now) {
        try {
            connectors = connect.read();
        } catch (Exception e) {
            checkErrors.merge("connect", 1L, Long::sum);
            return;
        }
        Map<String, ConsumerLagProbe.GroupLag> read = new LinkedHashMap<>();
        for (ConnectProbe.ConnectorState connector : connectors) {
            boolean watched = config.connect().connectors().isEmpty()
                    ? "sink".equals(connector.type()) : config.connect().connectors().contains(connector.name());
            if (!watched) {
                continue;
            }
            try {
                read.put(connector.name(), consumerLag.read(ConsumerLagProbe.groupOf(connector.name()), now));
            } catch (Exception e) {
                checkErrors.merge("kafka", 1L, Long::sum);
            }
        }
        lags = read;
        try {
            positions = positionProbe.read(connectors);
        } catch (RuntimeException e) {
            checkErrors.merge("source-position", 1L, Long::sum);
        }
    }

    /** Connect mode: each Postgres source connector's stored position judged against its replication slot. */
    public List<ConnectSourcePosition.Result> sourcePositions() {
        return positions;
    }

    public List<ConnectProbe.ConnectorState> connectors() {
        return connectors;
    }

    /** Consumer-group lag per watched sink connector (Connect mode). */
    public Map<String, ConsumerLagProbe.GroupLag> consumerLags() {
        return lags;
    }

    /** The alerts firing now, from the trackers' latest readings. */
    List<Alert> alerts(Instant now) {
        List<Alert> alerts = new ArrayList<>();
        for (SloTracker tracker : trackers) {
            SloTracker.Reading reading = tracker.last();
            if (reading == null) {
                continue;
            }
            MonitorConfig.Slo slo = tracker.slo();
            boolean whole = slo.wholeSink();
            long freshness = reading.freshness().toSeconds();
            String subject = whole ? "Sink " + slo.sink() + " (all tables)" : "Table " + tracker.table() + " of sink "
                    + slo.sink();
            String heldBack = heldBack(slo.sink(), whole ? null : tracker.table());
            if (reading.level() != Level.OK) {
                boolean critical = reading.level() == Level.CRITICAL;
                long threshold = (critical ? slo.critical() : slo.warning()).toSeconds();
                alerts.add(alert(now, whole ? "CdcSinkFreshness" : "CdcTableFreshness", tracker,
                        critical ? "critical" : "warning", notes(String.format(Locale.ROOT, "%s is %d s behind the "
                                + "source, over the %s level of %d s (SLO %s)%s", subject, freshness,
                                critical ? "critical" : "warning", threshold, slo.name(), heldBack.isEmpty() ? ""
                                        : "; waiting on " + heldBack), freshness, threshold, reading, heldBack)));
            }
            if (reading.stalled()) {
                alerts.add(alert(now, whole ? "CdcSinkStalled" : "CdcTableStalled", tracker, "critical",
                        notes(String.format(Locale.ROOT, "%s made no progress for %d s while newer changes wait; %d s "
                                + "behind%s", subject, slo.stallAfter().toSeconds(), freshness, heldBack.isEmpty() ? ""
                                        : "; waiting on " + heldBack), freshness, slo.stallAfter().toSeconds(), reading,
                                heldBack)));
            }
        }
        for (ConnectProbe.ConnectorState connector : connectors) {
            if (connector.failed()) {
                String error = connector.tasks().stream().filter(t -> t.error() != null).map(t -> "task " + t.id()
                        + ": " + t.error()).findFirst().orElse("connector " + connector.state());
                Map<String, String> labels = Map.of("alertname", "CdcConnectorFailed", "connector", connector.name(),
                        "sink", connector.name(), "table", "*", "slo", "", "severity", "critical");
                Instant since = alertStarts.computeIfAbsent(new Alert(labels, Map.of(), now).identity(), k -> now);
                alerts.add(new Alert(labels, Map.of("summary", "Connector " + connector.name() + " has failed: " + error,
                        "problem", error), since));
            }
        }
        for (ConnectSourcePosition.Result position : positions) {
            if (position.flagged()) {
                Map<String, String> labels = Map.of("alertname", "CdcSourcePositionLost", "connector",
                        position.connector(), "sink", position.connector(), "table", "*", "slo", "",
                        "severity", "critical");
                Instant since = alertStarts.computeIfAbsent(new Alert(labels, Map.of(), now).identity(), k -> now);
                alerts.add(new Alert(labels, Map.of("summary", "Source connector " + position.connector() + ": "
                        + position.verdict().reason(), "problem", position.verdict().kind().name()), since));
            }
        }
        for (CopyCheck.Result r : consistency) {
            if (driftPersists(r)) {
                Map<String, String> labels = Map.of("alertname", "CdcConsistencyDrift", "sink", r.sink(), "table",
                        r.table().toString(), "slo", "", "severity", "warning");
                Instant since = alertStarts.computeIfAbsent(new Alert(labels, Map.of(), now).identity(), k -> now);
                alerts.add(new Alert(labels, Map.of("summary", "Table " + r.table() + " in sink " + r.sink()
                        + " differs from Postgres in " + driftedRows(r) + " rows over two checks in a row ("
                        + r.missingTotal() + " missing, " + r.extraTotal() + " extra, " + r.differingTotal()
                        + " with other values); bin/cdc validate names them, --repair fixes them",
                        "problem", "drift"), since));
            }
        }
        alertStarts.keySet().retainAll(alerts.stream().map(Alert::identity).toList());
        // Pending until the condition has held for the SLO's 'for': a one-check blip pages nobody.
        alerts.removeIf(alert -> !alert.labels().get("slo").isEmpty()
                && now.isBefore(alert.startsAt().plus(sloNamed(alert.labels().get("slo")).alertFor())));
        return alerts;
    }

    private MonitorConfig.Slo sloNamed(String name) {
        return trackers.stream().map(SloTracker::slo).filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, String> notes(String summary, long freshness, long threshold, SloTracker.Reading reading,
            String heldBack) {
        return Map.of("summary", summary, "freshness_seconds", Long.toString(freshness),
                "threshold_seconds", Long.toString(threshold),
                "problem", reading.problem() == null ? "" : reading.problem(),
                "tables_waiting", heldBack);
    }

    /**
     * The tables of a sink with changes waiting, oldest first (at most three), as "name (N changes waiting since T)";
     * only {@code table} if given. Empty when the sink's metrics are not read or nothing waits.
     */
    private String heldBack(String sink, String table) {
        return tables.getOrDefault(sink, Map.of()).values().stream()
                .filter(t -> t.waiting() && (table == null || t.table().equals(table)))
                .sorted(java.util.Comparator.comparing(TableState::completeUpTo))
                .limit(3)
                .map(t -> t.table() + " (" + t.pending() + " changes waiting"
                        + (t.oldestPending() == null ? "" : " since " + t.oldestPending()) + ")")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private Alert alert(Instant now, String name, SloTracker tracker, String severity, Map<String, String> notes) {
        MonitorConfig.Slo slo = tracker.slo();
        Map<String, String> labels = Map.of("alertname", name, "sink", slo.sink(), "table", tracker.table(),
                "slo", slo.name(), "severity", severity);
        Instant started = alertStarts.computeIfAbsent(new Alert(labels, Map.of(), now).identity(), k -> now);
        return new Alert(labels, notes, started);
    }

    public synchronized List<SloTracker> trackers() {
        return List.copyOf(trackers);
    }

    public synchronized Map<String, SinkState> sinks() {
        return Map.copyOf(sinks);
    }

    /** Per sink, its tables at the last check (sinks whose metrics are read), in name order. */
    public synchronized Map<String, List<TableState>> tables() {
        Map<String, List<TableState>> out = new LinkedHashMap<>();
        tables.forEach((sink, states) -> out.put(sink, List.copyOf(states.values())));
        return out;
    }

    public SlotProbe.SlotState slotState() {
        return slotState;
    }

    public String heartbeatProblem() {
        return heartbeatProblem;
    }

    public Instant lastHeartbeat() {
        return heartbeat.lastWritten();
    }

    public synchronized Map<String, Long> checkErrors() {
        return Map.copyOf(checkErrors);
    }

    public WebhookNotifier notifier() {
        return notifier;
    }

    public MonitorConfig config() {
        return config;
    }

    /**
     * Why the pipeline is unhealthy (a stalled sink, a critically breached SLO, an uncaptured heartbeat table), or
     * an empty list when it is healthy.
     */
    public synchronized List<String> unhealthyReasons() {
        List<String> reasons = new ArrayList<>();
        if (heartbeatProblem != null) {
            reasons.add(heartbeatProblem);
        }
        SlotProbe.SlotState slotNow = slotState;
        String slotTrouble = slotNow == null ? null : slotNow.trouble(config.postgres().slot());
        if (slotTrouble != null) {
            reasons.add(slotTrouble);
        }
        for (ConnectSourcePosition.Result position : positions) {
            if (position.flagged()) {
                reasons.add("source connector " + position.connector() + ": " + position.verdict().reason());
            }
        }
        for (ConnectProbe.ConnectorState connector : connectors) {
            if (connector.failed()) {
                reasons.add("connector " + connector.name() + " has failed (" + connector.state() + ", tasks "
                        + connector.tasks().stream().map(t -> t.id() + ":" + t.state()).toList() + ")");
            }
        }
        for (CopyCheck.Result r : consistency) {
            if (driftPersists(r)) {
                reasons.add("table " + r.table() + " in sink " + r.sink() + " differs from Postgres in "
                        + driftedRows(r) + " rows (two consistency checks in a row)");
            }
        }
        for (SloTracker tracker : trackers) {
            SloTracker.Reading reading = tracker.last();
            if (reading == null) {
                continue;
            }
            String subject = tracker.slo().wholeSink() ? "sink " + tracker.slo().sink()
                    : "table " + tracker.table() + " of sink " + tracker.slo().sink();
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

    @Override
    public void close() {
        if (consistencyScheduler != null) {
            consistencyScheduler.shutdownNow();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        heartbeat.close();
        tableProbes.values().forEach(SinkTablesProbe::close);
        if (consumerLag != null) {
            consumerLag.close();
        }
    }
}
