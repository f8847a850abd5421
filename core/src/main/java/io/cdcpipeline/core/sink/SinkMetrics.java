package io.cdcpipeline.core.sink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Rate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink task's metrics, registered through Connect's {@link PluginMetrics} (KIP-877): a worker exposes them over
 * JMX as {@code kafka.connect:type=plugins,connector=...,task=...} beside its own, and the embedded runner the same
 * way. Counters come as {@code <name>-total} and {@code <name>-rate}; requests to the target with their latency;
 * per target (table or index) rows written, the watermark (the newest source commit time applied) and the changes
 * accepted but not yet acknowledged (how many, and the source time of the oldest), which the lag monitor reads to
 * tell how complete each target is and to name a target that holds its sink back. Without plugin metrics (null) everything is still counted in
 * memory, for logs and tests.
 */
public final class SinkMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkMetrics.class);

    /** A counter: {@code <name>-total} and {@code <name>-rate}. */
    public interface Counter {
        void add(long n);

        default void increment() {
            add(1);
        }
    }

    private final PluginMetrics metrics;
    private final String targetTag;
    private final String requestName;
    private final String latencyName;
    private final Sensor requests;
    private final Counter deadLettered;
    private String scope = "";
    private volatile boolean collisionLogged;
    private final List<String> sensors = new ArrayList<>();
    private final List<MetricName> names = new ArrayList<>();
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    /** Counters tagged with a target (and a column), by name, target and column. */
    private final Map<String, AtomicLong> tagged = new ConcurrentHashMap<>();
    private final AtomicLong buffered = new AtomicLong();
    /** The latest pending tally, replaced whole: gauges read it from JMX threads while the task changes buffers. */
    private volatile Map<String, PendingChanges.Pending> pending = Map.of();

    /**
     * @param metrics     the task's plugin metrics, or null
     * @param targetTag   the tag naming a target, and the prefix of its metrics: "table" or "index"
     * @param requestName counts requests as {@code <requestName>-total}, e.g. "batches-written"
     * @param latencyName times them as {@code <latencyName>-latency-avg-ms} and {@code -max-ms}, e.g. "insert"
     */
    public SinkMetrics(PluginMetrics metrics, String targetTag, String requestName, String latencyName) {
        this.metrics = metrics;
        this.targetTag = targetTag;
        this.requestName = requestName;
        this.latencyName = latencyName;
        if (metrics == null) {
            requests = null;
            deadLettered = n -> { };
            return;
        }
        // Sensor names are global in a worker's registry, unlike metric names, which carry the task's tags.
        scope = name("scope", "").tags().toString();
        requests = sensor(requestName);
        tolerate(() -> requests.add(name(requestName + "-total", "Requests sent to the target"), new CumulativeCount()));
        tolerate(() -> requests.add(name(latencyName + "-latency-avg-ms", "Average time of one request, retries "
                + "included"), new Avg()));
        tolerate(() -> requests.add(name(latencyName + "-latency-max-ms", "Longest time of one request, retries "
                + "included"), new Max()));
        add(name("buffered-records", "Records buffered and not yet written"), buffered::get);
        deadLettered = counter("dead-lettered", "Records sent to the dead-letter queue");
    }

    /** A record went to the dead-letter queue. */
    public void deadLettered() {
        deadLettered.increment();
    }

    /** This task's sensor of that name (created, or the one an earlier instance of this task left behind). */
    private Sensor sensor(String name) {
        String scoped = name + scope;
        Sensor sensor = metrics.addSensor(scoped);
        sensors.add(scoped);
        return sensor;
    }

    /**
     * Registers a metric, unless an earlier instance of this task still holds it: a worker that gave up waiting for a
     * task to stop (a broker outage, say) starts the task again while the old instance's metrics are registered. A
     * missing metric must not fail the task; the old instance's metrics go when it finally stops.
     */
    private void tolerate(Runnable registration) {
        try {
            registration.run();
        } catch (IllegalArgumentException e) {
            if (!collisionLogged) {
                collisionLogged = true;
                LOG.warn("A metric of this task is still registered by an earlier instance of it that has not "
                        + "stopped yet; it is left to that instance until it stops ({})", e.getMessage());
            }
        }
    }

    /** Registers a counter; without plugin metrics it counts nothing. */
    public Counter counter(String name, String description) {
        if (metrics == null) {
            return n -> { };
        }
        Sensor sensor = sensor(name);
        tolerate(() -> sensor.add(name(name + "-total", description), new CumulativeSum()));
        tolerate(() -> sensor.add(name(name + "-rate", description + ", per second"), new Rate()));
        return sensor::record;
    }

    /** One request to the target finished (successfully) after {@code nanos}. */
    public void request(long nanos) {
        if (requests != null) {
            requests.record(nanos / 1_000_000.0);
        }
    }

    /** Rows were applied to a target; {@code newestSourceMs} is the newest source commit time among them. */
    public void applied(String target, long rows, long newestSourceMs) {
        Target t = targets.computeIfAbsent(target, this::register);
        t.rows.addAndGet(rows);
        t.watermark.accumulateAndGet(newestSourceMs, Math::max);
    }

    /** A value of a column of a target was stored as the nearest value the target holds ({@link OutOfRangeValues}). */
    public void clamped(String target, String column) {
        count("values-clamped", "Values of this column the " + targetTag + " could not hold, stored as the nearest "
                + "value it holds", target, column);
    }

    /** How many values of a column of a target were clamped (for tests and logs). */
    public long clampedOf(String target, String column) {
        return countOf("values-clamped", target, column);
    }

    /** Adds one to the counter {@code <tag>-<name>-total} of a target. */
    public void targetCounter(String target, String name, String description) {
        count(name, description, target, null);
    }

    /** A counter of a target, as {@link #targetCounter} counts it (for tests and logs). */
    public long targetCount(String target, String name) {
        return countOf(name, target, null);
    }

    /** What a target is called in this sink's metrics: "table" or "index". */
    public String targetTag() {
        return targetTag;
    }

    /** Adds one to {@code <tag>-<name>-total}, tagged with the target and, if not null, a column. */
    private void count(String name, String description, String target, String column) {
        tagged.computeIfAbsent(name + '\u0000' + target + '\u0000' + column, k -> {
            AtomicLong count = new AtomicLong();
            if (metrics != null) {
                LinkedHashMap<String, String> tags = new LinkedHashMap<>();
                tags.put(targetTag, target);
                if (column != null) {
                    tags.put("column", column);
                }
                add(metrics.metricName(targetTag + "-" + name + "-total", description, tags), count::get);
            }
            return count;
        }).incrementAndGet();
    }

    private long countOf(String name, String target, String column) {
        AtomicLong count = tagged.get(name + '\u0000' + target + '\u0000' + column);
        return count == null ? 0 : count.get();
    }

    public void buffered(long records) {
        buffered.set(records);
    }

    /**
     * The changes accepted but not yet acknowledged, per target (buffered or in a request in flight); a target not in
     * the tally has none.
     */
    public void pending(PendingChanges tally) {
        Map<String, PendingChanges.Pending> now = tally.toMap();
        now.keySet().forEach(target -> targets.computeIfAbsent(target, this::register));
        pending = now;
    }

    /** A target's pending changes now (for tests and logs). */
    public PendingChanges.Pending pendingOf(String target) {
        return pending.getOrDefault(target, NONE);
    }

    private static final PendingChanges.Pending NONE = new PendingChanges.Pending(0, 0);

    private Target register(String target) {
        Target t = new Target();
        if (metrics != null) {
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put(targetTag, target);
            add(metrics.metricName(targetTag + "-records-written-total", "Rows written to this " + targetTag, tags),
                    t.rows::get);
            add(metrics.metricName(targetTag + "-source-watermark-ms",
                    "Newest source commit time (epoch ms) applied to this " + targetTag, tags), t.watermark::get);
            add(metrics.metricName(targetTag + "-pending-records", "Changes of this " + targetTag
                    + " accepted but not yet acknowledged by the target", tags), () -> pendingOf(target).records());
            add(metrics.metricName(targetTag + "-oldest-pending-source-ms", "Source commit time (epoch ms) of the "
                    + "oldest change of this " + targetTag + " not yet acknowledged; 0 when none is pending", tags),
                    () -> pendingOf(target).oldestSourceMs());
        }
        return t;
    }

    private void add(MetricName name, LongSupplier value) {
        tolerate(() -> {
            metrics.addMetric(name, (Gauge<Long>) (config, now) -> value.getAsLong());
            names.add(name);
        });
    }

    private MetricName name(String metric, String description) {
        return metrics.metricName(metric, description, new LinkedHashMap<>());
    }

    @Override
    public void close() {
        if (metrics != null) {
            sensors.forEach(metrics::removeSensor);
            names.forEach(metrics::removeMetric);
        }
    }

    private static final class Target {
        final AtomicLong rows = new AtomicLong();
        final AtomicLong watermark = new AtomicLong();
    }
}
