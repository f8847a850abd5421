package io.cdcpipeline.lag.slo;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * One SLO's view of one sink, or of one table of it, over time. Each check gives it the source time up to which the
 * copy is complete (for a sink, its newest visible heartbeat; for a table, that or just before its oldest pending
 * change); from that it keeps the freshness, the level (OK, warning, critical), whether it is stalled, and the good
 * and bad minutes that spend the error budget.
 * <p>
 * Slow and stalled are told apart as Burrow tells them apart for consumer offsets: a slow copy still makes progress
 * (its "complete up to" moves, just late), a stalled one shows none for {@code stall.after} while changes wait. A sink
 * that cannot be reached makes no progress either.
 */
public final class SloTracker {

    /** What one check found. */
    public record Reading(Instant at, Duration freshness, Level level, boolean stalled, String problem) {
    }

    /** The table label of a whole-sink tracker. */
    public static final String WHOLE_SINK = "*";

    private final MonitorConfig.Slo slo;
    private final String table;
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
        this(slo, WHOLE_SINK, started);
    }

    public SloTracker(MonitorConfig.Slo slo, String table, Instant started) {
        this.slo = slo;
        this.table = table;
        this.started = started;
        this.lastProgress = started;
    }

    public MonitorConfig.Slo slo() {
        return slo;
    }

    /** The table this tracker follows as the sink's metrics name it, or {@link #WHOLE_SINK}. */
    public String table() {
        return table;
    }

    /**
     * Takes one check of a whole sink: {@code visible} is its newest heartbeat (null if none yet or the probe failed,
     * {@code problem} then says why), {@code written} the newest heartbeat committed to the source.
     */
    public Reading observe(Instant now, Instant visible, Instant written, String problem) {
        Instant best = newestVisible == null || visible != null && visible.isAfter(newestVisible) ? visible
                : newestVisible;
        boolean waiting = written != null && (best == null || written.isAfter(best));
        return observe(now, best, waiting, problem);
    }

    /**
     * Takes one check: the copy is complete up to {@code completeUpTo} (null: nothing vouched for yet, so only the
     * monitor's start); {@code waiting} says whether changes wait for it, without which no progress is no stall.
     */
    public Reading observe(Instant now, Instant completeUpTo, boolean waiting, String problem) {
        if (completeUpTo != null && (newestVisible == null || completeUpTo.isAfter(newestVisible))) {
            lastProgress = now;
            newestVisible = completeUpTo;
        }
        Instant upTo = completeUpTo != null ? completeUpTo : newestVisible != null ? newestVisible : started;
        Duration freshness = Duration.between(upTo, now);
        if (freshness.isNegative()) {
            freshness = Duration.ZERO; // clocks of monitor and server differ a little
        }
        Level level = freshness.compareTo(slo.critical()) >= 0 ? Level.CRITICAL
                : freshness.compareTo(slo.warning()) >= 0 ? Level.WARNING : Level.OK;
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
    public List<Reading> history() {
        return List.copyOf(history);
    }

    /** The newest "complete up to" seen. */
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
