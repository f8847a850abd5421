package io.cdcpipeline.embedded;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import io.cdcpipeline.core.sink.StandaloneSinkTaskContext;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.ConnectorContext;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink of the embedded runner: the very {@link SinkConnector} and {@link SinkTask} classes a Kafka Connect
 * worker would run, with the sink's transforms. Batches wait in the sink's own bounded buffer ({@link #enqueue})
 * and its own thread writes them one at a time, retrying passing failures, and reports each batch once the task has
 * written and flushed it ({@link #written}): the runner advances the source position to what every sink holds, so
 * a sink that is down holds back only its own copy until its buffer is full.
 */
final class SinkRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkRunner.class);

    private final String name;
    private final Map<String, String> config;
    private final SinkConnector connector;
    private final TransformChain transforms;
    private final RunnerConfig runner;
    private DeadLetterFile deadLetters;
    private SinkTask task;
    private Metrics metrics;

    /** A batch waiting in this sink's buffer: its place in the runner's order, its records and their size. */
    private record Pending(long sequence, List<SinkRecord> records, long bytes) {
    }

    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long written;
    private RuntimeException failure;
    private boolean stopping;
    private Thread writer;
    private Runnable onWritten = () -> { };

    private SinkRunner(String name, Map<String, String> config, SinkConnector connector, TransformChain transforms,
            RunnerConfig runner) {
        this.name = name;
        this.config = config;
        this.connector = connector;
        this.transforms = transforms;
        this.runner = runner;
    }

    /** Checks the sink's config without connecting anywhere; a {@link ConfigException} names the key at fault. */
    static SinkRunner validate(String name, Map<String, String> config, RunnerConfig runner) {
        String prefix = PipelineFile.SINK_PREFIX + name + ".";
        SinkConnector connector = TransformChain.instantiate(prefix + "connector.class", config.get("connector.class"),
                SinkConnector.class);
        // Without connecting: servers may come up after the runner, and the runner retries until they do.
        Config validated = connector instanceof ConfiguredSinkConnector configured
                ? configured.validateWithoutConnecting(config) : new Config(connector.config().validate(config));
        throwFirstError(prefix, config, validated);
        return new SinkRunner(name, config, connector, TransformChain.from(prefix, config), runner);
    }

    /** The connector's own validate(), as Connect's REST API runs it: it may connect to the sink's server. */
    void checkServer() {
        throwFirstError(PipelineFile.SINK_PREFIX + name + ".", config, connector.validate(config));
    }

    private static void throwFirstError(String prefix, Map<String, String> config, Config validated) {
        for (ConfigValue value : validated.configValues()) {
            if (!value.errorMessages().isEmpty()) {
                throw new ConfigException(prefix + value.name(), config.get(value.name()),
                        String.join("; ", value.errorMessages()));
            }
        }
    }

    String name() {
        return name;
    }

    void start() {
        deadLetters = new DeadLetterFile(DeadLetterFile.path(runner, name));
        // Registered over JMX as a Connect worker does (kafka.connect:type=plugins,connector=...,task=...), so the
        // lag monitor and any JMX exporter read the same sink metrics in both modes.
        metrics = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
                new KafkaMetricsContext("kafka.connect"));
        connector.initialize(new ConnectorContext() {
            @Override
            public void requestTaskReconfiguration() {
                // one task, configured once: nothing to reconfigure in the embedded runner
            }

            @Override
            public void raiseError(Exception e) {
                throw new IllegalStateException("sink " + name + " failed: " + e.getMessage(), e);
            }

            @Override
            public PluginMetrics pluginMetrics() {
                return new PluginMetricsImpl(metrics, Map.of("connector", runner.name() + "-" + name));
            }
        });
        connector.start(config);
        Map<String, String> taskConfig = connector.taskConfigs(1).get(0);
        try {
            task = connector.taskClass().asSubclass(SinkTask.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("sink " + name + ": cannot create task " + connector.taskClass(), e);
        }
        task.initialize(new StandaloneSinkTaskContext(taskConfig, deadLetters,
                new PluginMetricsImpl(metrics, Map.of("connector", runner.name() + "-" + name, "task", "0"))));
        transforms.withMetrics(tags -> {
            Map<String, String> all = new LinkedHashMap<>(Map.of("connector", runner.name() + "-" + name,
                    "task", "0"));
            all.putAll(tags);
            return new PluginMetricsImpl(metrics, all);
        });
        task.start(taskConfig);
        task.open(List.of());
        LOG.info("Sink {} started: {} (task {}), dead letters in {}", name, connector.getClass().getName(),
                task.getClass().getSimpleName(), deadLetters.file());
    }

    /**
     * Transforms the batch and has the task write it, then asks the task to commit until it reports every offset of
     * the batch as written (a task may buffer: only its preCommit answer says what is durable). Passing failures
     * are retried until the retry timeout.
     */
    /** Connect's connector-level setting: 'none' stops on a record a transform refuses, 'all' dead-letters it. */
    static final String ERRORS_TOLERANCE = "errors.tolerance";

    void deliver(List<SinkRecord> batch) {
        deliver(batch, true);
    }

    /**
     * Puts a batch in this sink's buffer, to be written by its own thread; waits while the buffer holds more than
     * {@code buffer.max.bytes} (a batch is always taken into an empty buffer, however large).
     *
     * @throws IllegalStateException when this sink has failed (its batch could not be written in time)
     */
    void enqueue(long sequence, List<SinkRecord> batch, long bytes) throws InterruptedException {
        synchronized (lock) {
            if (writer == null) {
                writer = new Thread(this::writeLoop, "cdc-sink-" + runner.name() + "-" + name);
                writer.setDaemon(true);
                writer.start();
            }
            boolean announced = false;
            while (failure == null && !queue.isEmpty() && queuedBytes + bytes > runner.sinkBufferMaxBytes()) {
                if (!announced) {
                    LOG.warn("Sink {} holds {} bytes of changes not written yet (buffer.max.bytes {}): the source "
                            + "waits for it", name, queuedBytes, runner.sinkBufferMaxBytes());
                    announced = true;
                }
                lock.wait(1000);
            }
            if (failure != null) {
                throw failure;
            }
            queue.add(new Pending(sequence, batch, bytes));
            queuedBytes += bytes;
            lock.notifyAll();
        }
    }

    /** The sequence of the last batch this sink has written and flushed (0: none yet). */
    long written() {
        synchronized (lock) {
            return written;
        }
    }

    /** Why this sink stopped writing, or null. */
    RuntimeException failure() {
        synchronized (lock) {
            return failure;
        }
    }

    /** Bytes of changes waiting in this sink's buffer. */
    long queuedBytes() {
        synchronized (lock) {
            return queuedBytes;
        }
    }

    /** Called on this sink's thread after each batch it wrote, and when it fails. */
    void onWritten(Runnable listener) {
        this.onWritten = listener;
    }

    /** Waits until the buffer is empty (or the sink failed, or the time is up); true when empty. */
    boolean drain(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (lock) {
            while (!queue.isEmpty() && failure == null && System.currentTimeMillis() < deadline) {
                lock.wait(Math.max(1, Math.min(500, deadline - System.currentTimeMillis())));
            }
            return queue.isEmpty();
        }
    }

    /**
     * Writes what the buffer holds, all of it at once: behind the source (a backlog, a slow server) that is many of
     * the engine's batches in one write and one flush, instead of a round trip to the server for each; keeping up,
     * it is the one batch that came.
     */
    private void writeLoop() {
        while (true) {
            List<Pending> group;
            synchronized (lock) {
                while (queue.isEmpty() && !stopping) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopping) {
                    return;
                }
                group = new ArrayList<>(queue);
            }
            List<SinkRecord> records = group.size() == 1 ? group.get(0).records() : new ArrayList<>();
            if (group.size() > 1) {
                group.forEach(p -> records.addAll(p.records()));
            }
            try {
                deliver(records, true);
            } catch (RuntimeException e) {
                synchronized (lock) {
                    failure = stopping ? null : e;
                    lock.notifyAll();
                }
                if (!stopping) {
                    LOG.error("Sink {} stopped writing: {}", name, e.getMessage(), e);
                    onWritten.run();
                }
                return;
            }
            synchronized (lock) {
                for (Pending done : group) {
                    queue.poll();
                    queuedBytes -= done.bytes();
                    written = done.sequence();
                }
                lock.notifyAll();
            }
            onWritten.run();
        }
    }

    /** Delivers records the transforms already made (a sink refused them): to the task as they are. */
    void deliverTransformed(List<SinkRecord> batch) {
        deliver(batch, false);
    }

    /** This sink's dead-letter file, while started. */
    DeadLetterFile deadLetterFile() {
        return deadLetters;
    }

    private void deliver(List<SinkRecord> batch, boolean transform) {
        List<SinkRecord> records = new ArrayList<>(batch.size());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (SinkRecord record : batch) {
            offsets.merge(new TopicPartition(record.topic(), record.kafkaPartition()),
                    new OffsetAndMetadata(record.kafkaOffset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
            SinkRecord transformed;
            try {
                // A Debezium notification is for the sink itself (a completed snapshot), not a change to transform.
                transformed = !transform || SnapshotNotification.isNotification(record) ? record
                        : transforms.apply(record);
            } catch (TransformChain.StageFailure e) {
                if (!"all".equals(config.get(ERRORS_TOLERANCE))) {
                    throw new ConnectException("sink " + name + ": " + e.getMessage() + " (set " + PipelineFile.SINK_PREFIX
                            + name + "." + ERRORS_TOLERANCE + "=all to dead-letter such records and go on)", e.getCause());
                }
                deadLetters.report(e.deadLetter(), e, DeadLetterFile.TRANSFORM);
                transformed = null;
            }
            if (transformed != null) {
                records.add(transformed);
            }
        }
        long deadline = System.currentTimeMillis() + runner.retryTimeoutMs();
        retry(deadline, records.size(), () -> {
            task.put(records);
            return true;
        });
        retry(deadline, records.size(), () -> covers(task.preCommit(offsets), offsets));
    }

    private static boolean covers(Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, OffsetAndMetadata> wanted) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : wanted.entrySet()) {
            OffsetAndMetadata done = committed == null ? null : committed.get(entry.getKey());
            if (done == null || done.offset() < entry.getValue().offset()) {
                return false;
            }
        }
        return true;
    }

    private void retry(long deadline, int size, BooleanSupplier step) {
        for (int attempt = 1; ; attempt++) {
            String failure;
            RetriableException cause = null;
            try {
                if (step.getAsBoolean()) {
                    return;
                }
                failure = "the task has not written it yet";
            } catch (RetriableException e) {
                failure = e.getMessage();
                cause = e;
            }
            if (System.currentTimeMillis() >= deadline) {
                throw new IllegalStateException("sink " + name + " could not write a batch of " + size
                        + " records within retry.timeout.ms (" + runner.retryTimeoutMs() + " ms): " + failure
                        + ". The runner stops with its position before that batch, so nothing is lost: start it "
                        + "again once the server is back (or raise retry.timeout.ms to wait longer)", cause);
            }
            LOG.warn("Sink {} could not write a batch (attempt {}), retrying in {} ms: {}", name, attempt,
                    runner.retryBackoffMs(), failure);
            sleep(runner.retryBackoffMs());
        }
    }

    long deadLettered() {
        return deadLetters == null ? 0 : deadLetters.count();
    }

    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            stopping = true;
            running = writer;
            lock.notifyAll();
        }
        if (running != null) {
            running.interrupt(); // a batch being retried is given up: its position was not stored, it comes again
            try {
                running.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (task != null) {
                task.close(List.of());
                task.stop();
            }
            connector.stop();
        } finally {
            transforms.close();
            if (metrics != null) {
                metrics.close();
            }
            if (deadLetters != null) {
                try {
                    deadLetters.close();
                } catch (IOException e) {
                    LOG.warn("Closing the dead-letter file of sink {} failed", name, e);
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
