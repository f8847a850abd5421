package io.cdcpipeline.embedded;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts delivered events and logs, every interval: events in all, events/s since the last line, and the source
 * lag (how long ago the newest delivered change committed in Postgres).
 */
final class ProgressLog {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

    private final long intervalMs;
    private final AtomicLong events = new AtomicLong();
    private final AtomicReference<Instant> newestCommit = new AtomicReference<>();
    private long lastLogAt = System.currentTimeMillis();
    private long eventsAtLastLog;

    ProgressLog(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    synchronized void delivered(int count, Instant newestSourceCommit) {
        events.addAndGet(count);
        if (newestSourceCommit != null) {
            newestCommit.set(newestSourceCommit);
        }
        logIfDue();
    }

    synchronized void logIfDue() {
        long now = System.currentTimeMillis();
        if (now - lastLogAt < intervalMs) {
            return;
        }
        long total = events.get();
        double rate = (total - eventsAtLastLog) * 1000.0 / Math.max(1, now - lastLogAt);
        Instant commit = newestCommit.get();
        String lag = commit == null || total == eventsAtLastLog ? "n/a (idle)" : String.format("%.3f s", Duration.between(commit, Instant.now()).toMillis() / 1000.0);
        LOG.info("progress: {} events delivered, {} events/s, source lag {}", total, String.format("%.1f", rate), lag);
        lastLogAt = now;
        eventsAtLastLog = total;
    }

    long events() {
        return events.get();
    }
}
