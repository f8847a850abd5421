package io.cdcpipeline.testkit;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Real Debezium change records from a test database: the Postgres connector (pgoutput) in the embedded engine,
 * its records handed out as the {@link SinkRecord}s a Connect worker would give a sink task (offsets counted per
 * topic). For sink tests that need real records of every type without running the whole pipeline.
 */
public final class DebeziumChangeStream implements AutoCloseable {

    private final LinkedBlockingQueue<SourceRecord> records = new LinkedBlockingQueue<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium-test-engine"));
    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final Map<String, Long> offsets = new HashMap<>();

    /**
     * Starts capturing {@code tables} (schema-qualified) of {@code database}, snapshot first.
     *
     * @param extra further connector properties, e.g. decimal.handling.mode
     */
    public DebeziumChangeStream(PostgresTestDatabase database, StackEndpoints stack, List<String> tables,
            Map<String, String> extra) {
        Properties props = new Properties();
        props.setProperty("name", database.name());
        props.putAll(DebeziumSourceConfig.of(stack, database, database.name(), tables));
        props.remove("heartbeat.interval.ms"); // only change events here: tests take them by count
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        props.setProperty("offset.flush.interval.ms", "1000");
        props.setProperty("poll.interval.ms", "20");
        props.setProperty("skipped.operations", "none");
        extra.forEach(props::setProperty);
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .notifying(event -> records.add(event.record()))
                .build();
        Future<?> running = executor.submit(engine);
        awaitStreaming(database, props.getProperty("slot.name"), running);
    }

    /**
     * Waits until Debezium streams from its slot (the slot is active once it has issued START_REPLICATION), so that
     * the test's next DDL comes after the connector read the tables' schemas for streaming: Debezium reads columns
     * and primary key in separate queries there, and an ALTER in between (a renamed key column, say) stops it with
     * "referenced as PRIMARY KEY, but a matching column is not defined". The snapshot's records are queued by then.
     */
    private void awaitStreaming(PostgresTestDatabase database, String slot, Future<?> running) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Connection db = database.connect();
                PreparedStatement active = db.prepareStatement(
                        "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            active.setString(1, slot);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = active.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
                if (running.isDone()) {
                    throw new AssertionError("Debezium stopped before it streamed from slot " + slot + " (see its log)");
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look at slot " + slot + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Debezium to stream", e);
        }
        throw new AssertionError("Debezium did not start streaming from slot " + slot + " within 120 s (see its log)");
    }

    /** The next {@code count} records, waiting up to {@code timeout} for them. */
    public List<SinkRecord> take(int count, Duration timeout) throws InterruptedException {
        List<SinkRecord> taken = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (taken.size() < count) {
            SourceRecord record = records.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (record == null) {
                throw new AssertionError("only " + taken.size() + " of " + count + " Debezium records arrived within "
                        + timeout + ": " + taken);
            }
            taken.add(toSinkRecord(record));
        }
        return taken;
    }

    /**
     * Records until {@code count} of them are of {@code table} (its topic ends with ".table"), with whatever else
     * arrived among them (signal rows, other tables), waiting up to {@code timeout}.
     */
    public List<SinkRecord> takeUntil(String table, int count, Duration timeout) throws InterruptedException {
        List<SinkRecord> taken = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        int ofTable = 0;
        while (ofTable < count) {
            SourceRecord record = records.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (record == null) {
                throw new AssertionError("only " + ofTable + " of " + count + " records of " + table + " arrived within "
                        + timeout);
            }
            taken.add(toSinkRecord(record));
            ofTable += record.topic().endsWith("." + table) ? 1 : 0;
        }
        return taken;
    }

    /** Whatever arrives until {@code quiet} passes without a record. */
    public List<SinkRecord> drain(Duration quiet) throws InterruptedException {
        List<SinkRecord> taken = new ArrayList<>();
        SourceRecord record;
        while ((record = records.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            taken.add(toSinkRecord(record));
        }
        return taken;
    }

    private SinkRecord toSinkRecord(SourceRecord source) {
        long offset = offsets.merge(source.topic(), 1L, Long::sum) - 1;
        return new SinkRecord(source.topic(), 0, source.keySchema(), source.key(), source.valueSchema(), source.value(),
                offset, source.timestamp(), TimestampType.CREATE_TIME, source.headers());
    }

    @Override
    public void close() throws IOException, InterruptedException {
        engine.close();
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
    }
}
