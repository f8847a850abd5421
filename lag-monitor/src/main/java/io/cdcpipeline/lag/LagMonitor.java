package io.cdcpipeline.lag;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.lag.alert.Alert;
import io.cdcpipeline.lag.alert.WebhookNotifier;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.probe.ConnectProbe;
import io.cdcpipeline.lag.probe.ConsumerLagProbe;
import io.cdcpipeline.lag.probe.HeartbeatWriter;
import io.cdcpipeline.lag.probe.SinkHttp;
import io.cdcpipeline.lag.probe.SlotProbe;
import io.cdcpipeline.lag.slo.SloTracker;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor: commits heartbeats and, each round ({@link #check()}), reads what the sinks show ({@link Prober}, one
 * immutable {@link Observation}), feeds the SLOs ({@link SloEvaluation}), sends the alerts they call for
 * ({@link AlertBuilder}, {@link WebhookNotifier}) and writes freshness into the sinks ({@link FreshnessPublishing}).
 * {@link #start()} runs heartbeats, rounds and the consistency checks ({@link ConsistencySchedule}) on their
 * intervals; the HTTP side reads the latest round through the accessors here.
 */
public final class LagMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    private final MonitorConfig config;
    private final Clock clock;
    private final HeartbeatWriter heartbeat;
    private final ProbeFailures failures = new ProbeFailures(LOG);
    private final Prober prober;
    private final SloEvaluation slos;
    private final AlertBuilder alertBuilder = new AlertBuilder();
    private final WebhookNotifier notifier;
    private final FreshnessPublishing publishing;
    private final ConsistencySchedule consistency;
    private volatile Observation seen;
    private ScheduledExecutorService scheduler;

    public LagMonitor(MonitorConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        Instant started = clock.instant();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, SinkHttp> sinkHttp = new LinkedHashMap<>();
        config.sinks().forEach((name, sink) -> sinkHttp.put(name, SinkHttp.of(sink)));
        this.heartbeat = new HeartbeatWriter(config.postgres(), config.heartbeat(), clock);
        this.prober = new Prober(config, heartbeat, sinkHttp, http, failures, started);
        this.slos = new SloEvaluation(config, started);
        this.notifier = new WebhookNotifier(config.alerts(), http);
        this.publishing = new FreshnessPublishing(config, sinkHttp, failures);
        this.consistency = config.consistency() == null ? null
                : new ConsistencySchedule(config.consistency(), clock, failures);
        this.seen = Observation.none(started);
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
        if (consistency != null) {
            consistency.start();
        }
    }

    private void beatQuietly() {
        try {
            heartbeat.beat();
            failures.worked("heartbeat", "writing a heartbeat into " + config.heartbeat().table());
        } catch (Exception e) {
            failures.failed("heartbeat", "writing a heartbeat into " + config.heartbeat().table(), e);
        }
    }

    private void checkQuietly() {
        try {
            check();
            failures.worked("check", "a check round");
        } catch (RuntimeException e) {
            failures.failed("check", "a check round", e);
        }
    }

    /** One round: read every sink and the slot, update the SLOs, send what alerts call for, publish freshness. */
    public synchronized void check() {
        Observation now = prober.read(clock.instant(), seen);
        slos.observe(now);
        seen = now;
        notifier.update(now.at(), alerts(now.at()));
        publishing.publishIfDue(now);
    }

    /** The alerts firing now, from the latest round. */
    synchronized List<Alert> alerts(Instant now) {
        return alertBuilder.alerts(seen.seenAt(now), slos.trackers(), persistentDrift(), slos::named);
    }

    /**
     * Why the pipeline is unhealthy (a stalled sink, a critically breached SLO, an uncaptured heartbeat table, ...), or
     * an empty list when it is healthy.
     */
    public synchronized List<String> unhealthyReasons() {
        return HealthReasons.of(seen, config.postgres().slot(), slos.trackers(), persistentDrift());
    }

    private List<CopyCheck.Result> persistentDrift() {
        return consistency == null ? List.of() : consistency.persistentDrift();
    }

    /** The latest round's observation. */
    public Observation observation() {
        return seen;
    }

    /** One consistency check of every configured table and sink, as bin/cdc validate does it. */
    public void checkConsistency() throws Exception {
        consistency.checkTables(config.consistency().tables());
    }

    /** Checks run because a table's columns changed, since the start. */
    public long schemaChangeChecks() {
        return consistency == null ? 0 : consistency.schemaChangeChecks();
    }

    /** The last consistency check's results (empty before the first, or when none are configured). */
    public List<CopyCheck.Result> consistency() {
        return consistency == null ? List.of() : consistency.results();
    }

    /** When the last consistency check finished, or null. */
    public Instant consistencyCheckedAt() {
        return consistency == null ? null : consistency.checkedAt();
    }

    /** Rows a result counts as drifted. */
    public static long driftedRows(CopyCheck.Result r) {
        return HealthReasons.driftedRows(r);
    }

    /** Connect mode: each Postgres source connector's stored position judged against its replication slot. */
    public List<ConnectSourcePosition.Result> sourcePositions() {
        return seen.sourcePositions();
    }

    public List<ConnectProbe.ConnectorState> connectors() {
        return seen.connectors();
    }

    /** Consumer-group lag per watched sink connector (Connect mode). */
    public Map<String, ConsumerLagProbe.GroupLag> consumerLags() {
        return seen.consumerLags();
    }

    public synchronized List<SloTracker> trackers() {
        return slos.trackers();
    }

    public Map<String, Observation.SinkState> sinks() {
        return seen.sinks();
    }

    /** Per sink, its tables at the last check (sinks whose metrics are read), in name order. */
    public Map<String, List<Observation.TableState>> tables() {
        Map<String, List<Observation.TableState>> out = new LinkedHashMap<>();
        seen.tables().forEach((sink, states) -> out.put(sink, List.copyOf(states.values())));
        return out;
    }

    public SlotProbe.SlotState slotState() {
        return seen.slot();
    }

    public String heartbeatProblem() {
        return seen.heartbeatProblem();
    }

    public Instant lastHeartbeat() {
        return heartbeat.lastWritten();
    }

    /** Failures so far of each part (a sink's probe, the slot, Connect, a heartbeat, ...), as a metric counts them. */
    public Map<String, Long> checkErrors() {
        return failures.counts();
    }

    public WebhookNotifier notifier() {
        return notifier;
    }

    public MonitorConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (consistency != null) {
            consistency.close();
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
        prober.close();
    }
}
