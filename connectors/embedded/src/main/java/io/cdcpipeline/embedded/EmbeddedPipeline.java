package io.cdcpipeline.embedded;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.capture.NewTables;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.position.ReplicationSlot;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import io.cdcpipeline.embedded.position.CrashSafeOffsetStore;
import io.cdcpipeline.embedded.position.PositionRefusedException;
import io.cdcpipeline.embedded.position.StartGuard;
import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.PostgresConnector;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's Postgres connector in the Debezium embedded engine, feeding each batch to every sink. Each sink writes
 * from its own bounded buffer on its own thread ({@link SinkRunner}), so one sink being slow or down does not hold
 * the others back until its buffer is full. The source position is committed only for batches every sink has
 * written and flushed: a crash or kill means redelivery, never loss, and the sinks' versioned writes make
 * redelivery harmless.
 */
public final class EmbeddedPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPipeline.class);

    private final PipelineFile file;
    private final List<SinkRunner> sinks;
    private final ProgressLog progress;
    private final SnapshotNotices snapshotNotices = new SnapshotNotices();
    private final Map<String, Long> nextOffsets = new HashMap<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private List<KeylessTables.Keyless> keyless = List.of();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private ExecutorService executor;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private JmxEndpoint jmx;
    private NewTables newTables;
    private ScheduledExecutorService newTablesTimer;
    /** Batches handed to the sinks whose position is not stored yet, oldest first (guarded by itself). */
    private final ArrayDeque<PendingCommit> pendingCommits = new ArrayDeque<>();
    private long batchSequence;
    private volatile boolean closing;

    /**
     * A batch the engine handed over, with the committer that stores its position once every sink wrote it, and what
     * progress counts then: its records and the newest source commit among them.
     */
    private record PendingCommit(long sequence, List<RecordChangeEvent<SourceRecord>> batch,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer, int records,
            Instant newestCommit) {
    }

    private EmbeddedPipeline(PipelineFile file, List<SinkRunner> sinks) {
        this.file = file;
        this.sinks = sinks;
        this.progress = new ProgressLog(file.runner().progressIntervalMs());
    }

    /**
     * Checks the whole pipeline file without connecting to anything: the runner settings, the source connector's
     * config, every sink connector's config and transforms. A {@link ConfigException} names the key at fault.
     */
    public static EmbeddedPipeline validate(PipelineFile file) {
        validateSource(file.source());
        List<SinkRunner> sinks = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> sink : file.sinks().entrySet()) {
            // The sinks check their targets against the source after an incremental snapshot, with its connection.
            Map<String, String> config = new LinkedHashMap<>(sink.getValue());
            SourceCheckConfig.fillFromSource(config, file.source());
            sinks.add(SinkRunner.validate(sink.getKey(), config, file.runner()));
        }
        return new EmbeddedPipeline(file, sinks);
    }

    private static void validateSource(Map<String, String> source) {
        String prefix = PipelineFile.SOURCE_PREFIX;
        SourceConnector connector = TransformChain.instantiate(prefix + "connector.class", source.get("connector.class"),
                SourceConnector.class);
        List<ConfigValue> values = new ArrayList<>(connector.config().validate(source));
        if (connector instanceof PostgresConnector) {
            // Debezium checks most of its settings with its own field validators, which ConfigDef does not run;
            // PostgresConnector.validate() would run them but then connect, which validation must not.
            values.addAll(Configuration.from(source).validate(PostgresConnectorConfig.ALL_FIELDS).values());
        }
        for (ConfigValue value : values) {
            if (!value.errorMessages().isEmpty()) {
                throw new ConfigException(prefix + value.name(), source.get(value.name()),
                        String.join("; ", value.errorMessages()));
            }
        }
        // The engine builds the source's transforms only when it starts; build them once here so that a bad
        // transform config fails validation, before anything runs.
        TransformChain.from(prefix, source).close();
    }

    /** Runs every sink connector's full validation, which reaches its server; a {@link ConfigException} names the key. */
    public void checkSinkServers() {
        for (SinkRunner sink : sinks) {
            sink.checkServer();
        }
    }

    /** Starts the sinks, then the engine in a thread of its own, from the stored position. */
    public void start() {
        start(false);
    }

    /**
     * An invalidated slot ({@code wal_status lost}) can never stream again, and Debezium, finding it, waits for it to
     * become valid (up to half an hour) instead of creating a new one: the new snapshot needs it gone.
     */
    private void dropInvalidatedSlot(String slotName) {
        try (Connection db = SourceDatabase.connect(file.source());
                PreparedStatement drop = db.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            drop.setString(1, slotName);
            drop.execute();
            LOG.warn("Replication slot '{}' was invalidated (wal_status lost): dropped, so that Debezium creates it "
                    + "anew for the new snapshot", slotName);
        } catch (SQLException e) {
            throw new PositionRefusedException("replication slot '" + slotName + "' is invalidated and could not be "
                    + "dropped for the new snapshot (" + e.getMessage() + "): drop it by hand (SELECT "
                    + "pg_drop_replication_slot('" + slotName + "')) and start again with --resnapshot");
        }
    }

    /**
     * Checks the stored position against the replication slot ({@link StartGuard}), then starts the sinks and the
     * engine in a thread of its own.
     *
     * @param resnapshot take a new snapshot even though a position is stored or the slot exists
     * @throws PositionRefusedException when the stored position cannot be trusted and no new snapshot was asked for
     * @throws SourceNotReadyException when the source Postgres cannot stream changes as it is configured
     */
    public void start(boolean resnapshot) {
        Path offsetFile = file.runner().offsetFile().toAbsolutePath();
        String slotName = SourceDatabase.slotName(file.source());
        ReplicationSlot slot;
        Properties props = new Properties();
        props.putAll(file.source());
        SourceDefaults.apply(props);
        try (Connection db = SourceDatabase.connect(file.source())) {
            SourceReadiness.check(db);
            MultiDimensionalColumns.configure(db, file.source(), props);
            slot = ReplicationSlot.read(db, slotName);
            keyless = KeylessTables.announce(db, file.source());
            if (file.runner().newTablesCheckMs() > 0) {
                newTables = NewTables.start(db, file.source());
            }
        } catch (SQLException e) {
            throw new PositionRefusedException("cannot check replication slot '" + slotName + "' in the source database "
                    + file.source().get("database.dbname") + " before starting: " + e.getMessage());
        }
        StartGuard.Decision decision = StartGuard.decide(offsetFile, file.runner().name(), slot, resnapshot,
                file.source().getOrDefault("snapshot.mode", "initial"));
        if (decision.resnapshot() && slot.exists() && !slot.usable()) {
            dropInvalidatedSlot(slotName);
        }
        for (SinkRunner sink : sinks) {
            sink.start();
            sink.onWritten(this::commitWritten);
        }
        if (file.runner().jmxPort() > 0) {
            jmx = JmxEndpoint.open(file.runner().jmxHost(), file.runner().jmxPort());
        }
        props.setProperty("name", file.runner().name());
        props.setProperty("offset.storage", CrashSafeOffsetStore.class.getName());
        props.setProperty(CrashSafeOffsetStore.FILE_CONFIG, offsetFile.toString());
        props.setProperty("offset.flush.interval.ms", Long.toString(file.runner().offsetFlushIntervalMs()));
        SnapshotNotices.enable(props);
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .using((success, message, error) -> {
                    if (!success) {
                        failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
                        LOG.error("Pipeline {} stopped: {}", file.runner().name(), message, error);
                    } else {
                        LOG.info("Pipeline {} stopped: {}", file.runner().name(), message);
                    }
                    finished.countDown();
                })
                .notifying(this::handleBatch)
                .build();
        executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cdc-engine-" + file.runner().name()));
        executor.execute(engine);
        if (newTables != null) {
            long every = file.runner().newTablesCheckMs();
            newTablesTimer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "cdc-new-tables-"
                    + file.runner().name()));
            newTablesTimer.scheduleWithFixedDelay(newTables::check, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("Pipeline {} started: source {} -> sinks {}", file.runner().name(), file.source().get("connector.class"),
                file.sinkNames());
    }

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> batch,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        if (closing) {
            return; // neither handed to the sinks nor marked: delivered again at the next start
        }
        List<SinkRecord> records = new ArrayList<>(batch.size());
        Instant newestCommit = null;
        for (RecordChangeEvent<SourceRecord> event : batch) {
            if (isDebeziumHeartbeat(event.record())) {
                continue; // keeps the source position moving; no sink has a table for it (Connect: topics.regex)
            }
            if (SnapshotNotification.isNotification(event.record())) {
                // In its place among the changes, with the LSN it was sent at: a table's snapshot is complete here.
                snapshotNotices.log(SnapshotNotification.stampLsn(event.record()));
            }
            SinkRecord record = toSinkRecord(event.record());
            records.add(record);
            ChangeEvent change = changeOf(record);
            if (change != null) {
                Instant commit = change.sourceCommitTime();
                newestCommit = commit != null && (newestCommit == null || commit.isAfter(newestCommit)) ? commit
                        : newestCommit;
                if (newTables != null && newTables.awaitingChanges()) {
                    newTables.changed(change.sourceTable());
                }
            }
        }
        long sequence;
        synchronized (pendingCommits) {
            sequence = ++batchSequence;
            pendingCommits.add(new PendingCommit(sequence, batch, committer, records.size(), newestCommit));
        }
        long bytes = RecordSize.of(records);
        for (SinkRunner sink : sinks) {
            sink.enqueue(sequence, records, bytes); // waits while that sink's buffer is full: the source pauses
        }
        commitWritten();
    }

    /**
     * Stores the position of every batch that all sinks have written and flushed, oldest first; called after each
     * batch a sink wrote (on its thread) and after each batch handed over. A sink that failed (its batch could not be
     * written within retry.timeout.ms) stops the pipeline with its error, the position kept before that batch.
     */
    private void commitWritten() {
        synchronized (pendingCommits) {
            long all = Long.MAX_VALUE;
            for (SinkRunner sink : sinks) {
                all = Math.min(all, sink.written());
            }
            try {
                while (!pendingCommits.isEmpty() && pendingCommits.peek().sequence() <= all) {
                    PendingCommit done = pendingCommits.poll();
                    for (RecordChangeEvent<SourceRecord> event : done.batch()) {
                        // A record with an empty offset (Debezium's first snapshot notification) says nothing about
                        // the position, and stored it would replace the real one: an engine started on it skips its
                        // snapshot.
                        Map<String, ?> offset = event.record().sourceOffset();
                        if (offset != null && !offset.isEmpty()) {
                            done.committer().markProcessed(event);
                        }
                    }
                    done.committer().markBatchFinished();
                    progress.delivered(done.records(), done.newestCommit()); // written by every sink
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SinkRunner sink : sinks) {
            RuntimeException failed = sink.failure();
            if (failed != null && !closing && failure.compareAndSet(null, failed)) {
                LOG.error("Pipeline {} stops: sink {} could not write its changes; the position stays before them",
                        file.runner().name(), sink.name());
                Thread stopper = new Thread(this::stopEngine, "cdc-stop-" + file.runner().name());
                stopper.setDaemon(true);
                stopper.start();
            }
        }
    }

    private void stopEngine() {
        try {
            if (engine != null && finished.getCount() > 0) {
                engine.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Stopping the engine of pipeline {} failed", file.runner().name(), e);
        }
    }

    /** Debezium's own heartbeat ({@code heartbeat.interval.ms}), written to its heartbeat topic, not a change. */
    static boolean isDebeziumHeartbeat(SourceRecord record) {
        return record.valueSchema() != null && DEBEZIUM_HEARTBEAT.equals(record.valueSchema().name());
    }

    private static final String DEBEZIUM_HEARTBEAT = "io.debezium.connector.common.Heartbeat";

    /** The same record as a Connect worker would hand a sink task; offsets count per topic in this run. */
    private SinkRecord toSinkRecord(SourceRecord source) {
        long offset = nextOffsets.merge(source.topic(), 1L, Long::sum) - 1;
        int partition = source.kafkaPartition() == null ? 0 : source.kafkaPartition();
        return new SinkRecord(source.topic(), partition, source.keySchema(), source.key(), source.valueSchema(),
                source.value(), offset, source.timestamp(), TimestampType.CREATE_TIME, source.headers());
    }

    /** The change event a record carries; null for a record that is not one (e.g. a heartbeat). */
    private static ChangeEvent changeOf(SinkRecord record) {
        try {
            return ChangeEvent.of(record);
        } catch (DataException e) {
            return null;
        }
    }

    /** Waits until the engine has stopped; true if it did within the timeout. */
    public boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    /** The captured tables without a primary key, as found at start. */
    public List<KeylessTables.Keyless> keylessTables() {
        return keyless;
    }

    /** Why the pipeline stopped by itself, if it failed. */
    public Throwable failure() {
        return failure.get();
    }

    /** Events every sink has written and flushed (their position may be stored). */
    public long eventsDelivered() {
        return progress.events();
    }

    /** Records each sink sent to its dead-letter file, by sink name. */
    public Map<String, Long> deadLettered() {
        Map<String, Long> counts = new LinkedHashMap<>();
        sinks.forEach(s -> counts.put(s.name(), s.deadLettered()));
        return counts;
    }

    /**
     * Takes no more batches, lets each sink write what it holds (up to 30 s), stores the position of what every sink
     * wrote, stops the engine (which writes that position), then the sinks. What a sink did not write in time comes
     * again at the next start.
     */
    @Override
    public void close() {
        if (newTablesTimer != null) {
            newTablesTimer.shutdownNow();
        }
        closing = true;
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            for (SinkRunner sink : sinks) {
                sink.drain(Math.max(1, deadline - System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitWritten();
        try {
            if (engine != null && finished.getCount() > 0) {
                engine.close(); // an engine that stopped by itself (a failure) is closed already: closing it throws
            }
            if (executor != null) {
                executor.shutdown();
                if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                    LOG.warn("The engine of pipeline {} did not stop within 60 s", file.runner().name());
                }
            }
        } catch (IOException e) {
            LOG.warn("Closing the engine failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (SinkRunner sink : sinks) {
                try {
                    sink.close();
                } catch (RuntimeException e) {
                    LOG.warn("Stopping sink {} failed", sink.name(), e);
                }
            }
            if (jmx != null) {
                jmx.close();
            }
        }
    }
}
