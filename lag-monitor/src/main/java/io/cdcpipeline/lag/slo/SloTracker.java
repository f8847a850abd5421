package io.cdcpipeline.lag.slo;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One SLO's view of one sink over time. Each check gives it the newest heartbeat the sink shows; from that it keeps
 * the freshness (how far behind the source the copy is complete), the level (OK, warning, critical), whether the sink
 * is stalled, and the good and bad minutes that spend the error budget.
 * <p>
 * Slow and stalled are told apart as Burrow tells them apart for consumer offsets: a slow sink still makes progress
 * (its newest heartbeat moves, just late), a stalled one shows none for {@code stall.after} while newer heartbeats
 * wait in the source. A sink that cannot be reached makes no progress either.
 */
public final class SloTracker {

    /** What one check found. */
    public record Reading(Instant at, Duration freshness, Level level, boolean stalled, String problem) {
    }

    private final MonitorConfig.Slo slo;
    private final Instant started;
    private Instant newestVisible;
    private Instant lastProgress;
    private Reading last;
    private long currentMinute = -1;
    private Duration worstThisMinute = Duration.ZERO;
    private final Deque<Boolean> minutes = new ArrayDeque<>();
    private long goodMinutes;
    private long badMinutes;
    /** The readings of the last hour, for the status page's chart. */
    private final Deque<Reading> history = new ArrayDeque<>();
    static final Duration HISTORY = Duration.ofHours(1);

    public SloTracker(MonitorConfig.Slo slo, Instant started) {
        this.slo = slo;
        this.started = started;
        this.lastProgress = started;
    }

    public MonitorConfig.Slo slo() {
        return slo;
    }

    /**
     * Takes one check: {@code visible} is the sink's newest heartbeat (null if none yet or the probe failed,
     * {@code problem} then says why), {@code written} the newest heartbeat committed to the source.
     */
    public Reading observe(Instant now, Instant visible, Instant written, String problem) {
        if (visible != null && (newestVisible == null || visible.isAfter(newestVisible))) {
            newestVisible = visible;
            lastProgress = now;
        }
        // Complete up to the newest heartbeat shown; before any is shown, only the monitor's start is vouched for.
        Instant completeUpTo = newestVisible != null ? newestVisible : started;
        Duration freshness = Duration.between(completeUpTo, now);
        if (freshness.isNegative()) {
            freshness = Duration.ZERO; // clocks of monitor and server differ a little
        }
        Level level = freshness.compareTo(slo.critical()) >= 0 ? Level.CRITICAL
                : freshness.compareTo(slo.warning()) >= 0 ? Level.WARNING : Level.OK;
        boolean waiting = written != null && (newestVisible == null || written.isAfter(newestVisible));
        boolean stalled = waiting && Duration.between(lastProgress, now).compareTo(slo.stallAfter()) >= 0;
        countMinute(now, freshness);
        last = new Reading(now, freshness, level, stalled, problem);
        history.addLast(last);
        while (!history.isEmpty() && history.peekFirst().at().isBefore(now.minus(HISTORY))) {
            history.removeFirst();
        }
        return last;
    }

    private void countMinute(Instant now, Duration freshness) {
        long minute = now.getEpochSecond() / 60;
        if (currentMinute >= 0 && minute != currentMinute) {
            boolean good = worstThisMinute.compareTo(slo.threshold()) < 0;
            minutes.addLast(good);
            if (good) {
                goodMinutes++;
            } else {
                badMinutes++;
            }
            while (minutes.size() > slo.window().toMinutes()) {
                minutes.removeFirst();
            }
            worstThisMinute = Duration.ZERO;
        }
        currentMinute = minute;
        if (freshness.compareTo(worstThisMinute) > 0) {
            worstThisMinute = freshness;
        }
    }

    public Reading last() {
        return last;
    }

    /** The readings of the last hour, oldest first. */
    public java.util.List<Reading> history() {
        return java.util.List.copyOf(history);
    }

    public Instant newestVisible() {
        return newestVisible;
    }

    /** Completed minutes under the threshold, since the start (a counter). */
    public long goodMinutes() {
        return goodMinutes;
    }

    /** Completed minutes at or over the threshold, since the start (a counter). */
    public long badMinutes() {
        return badMinutes;
    }

    /**
     * The share of the window's error budget left: 1 with no bad minute, 0 when the window's bad minutes reach what
     * the objective allows ({@code window * (1 - objective)}), negative beyond. Counts the minutes this process saw;
     * the generated Prometheus rules keep the durable figure.
     */
    public double errorBudgetLeft() {
        double allowed = slo.window().toMinutes() * (1 - slo.objective());
        long bad = minutes.stream().filter(good -> !good).count();
        return 1 - bad / allowed;
    }
}
