package io.cdcpipeline.core.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink task that buffers: {@link #put} hands records to its {@link BufferedSink}, a timer flushes a batch once it
 * is {@code lingerMs} old even when no records arrive, and {@link #preCommit} reports only offsets the target
 * acknowledged, so a crash means redelivery, never loss.
 */
public abstract class BufferingSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(BufferingSinkTask.class);

    /**
     * What {@link #open} made.
     *
     * @param sink      the buffering writer
     * @param lingerMs  the longest a record may wait in the buffer
     * @param resources closed after the sink when the task stops (connections, metrics), in reverse order
     */
    public record Opened(BufferedSink sink, long lingerMs, List<AutoCloseable> resources) {
    }

    private BufferedSink sink;
    private List<AutoCloseable> resources = List.of();
    private ScheduledExecutorService timer;

    /** Connects and builds the sink from the task's config. */
    protected abstract Opened open(Map<String, String> props);

    @Override
    public void start(Map<String, String> props) {
        Opened opened = open(props);
        sink = opened.sink();
        resources = new ArrayList<>(opened.resources());
        long period = Math.max(20, Math.min(1_000, opened.lingerMs() / 2));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, getClass().getSimpleName() + "-linger");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::flushIfDue, period, period, TimeUnit.MILLISECONDS);
    }

    private void flushIfDue() {
        try {
            sink.flushIfDue();
        } catch (RuntimeException e) {
            // The next put or preCommit meets the same failure on the task's own thread and reports it there.
            LOG.warn("Timed flush failed: {}", e.getMessage());
        }
    }

    /** How long Connect waits before it delivers a batch again while the target takes no write. */
    static final long PAUSE_MS = 5_000;
    private String lastUnavailable;
    private long lastUnavailableLoggedAt;

    @Override
    public void put(Collection<SinkRecord> records) {
        try {
            sink.put(records);
        } catch (TargetUnavailableException e) {
            paused(e);
            throw e;
        }
    }

    /** Logs why the sink is paused (once a minute while the reason stays the same) and asks Connect to wait. */
    private void paused(TargetUnavailableException e) {
        long now = System.currentTimeMillis();
        if (!e.getMessage().equals(lastUnavailable) || now - lastUnavailableLoggedAt >= 60_000) {
            LOG.error("Paused: the target takes no write, and no record is at fault; the batch waits (nothing is "
                    + "dead-lettered): {}", e.getMessage());
            lastUnavailable = e.getMessage();
            lastUnavailableLoggedAt = now;
        }
        if (context != null) {
            context.timeout(PAUSE_MS);
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        return sink.preCommit(currentOffsets); // keeps what it could not write buffered; never throws for that
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) { // Connect's consumer group; the embedded runner opens none
            sink.partitionsMove();
        }
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        sink.forget(partitions);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (sink != null) {
            sink.close();
        }
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (AutoCloseable resource : reversed) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", resource, e.getMessage());
            }
        }
    }
}
