package io.cdcpipeline.lag.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SloTrackerTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    static MonitorConfig.Slo slo() {
        return new MonitorConfig.Slo("s", "search", null, Duration.ofSeconds(30), 0.99, Duration.ofMinutes(100),
                Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ZERO);
    }

    @Test
    void freshnessIsTheAgeOfTheNewestVisibleHeartbeatAndSetsTheLevel() {
        SloTracker tracker = new SloTracker(slo(), T0);
        assertThat(tracker.observe(T0.plusSeconds(5), T0.plusSeconds(3), T0.plusSeconds(4), null).level())
                .isEqualTo(Level.OK);
        SloTracker.Reading warning = tracker.observe(T0.plusSeconds(25), T0.plusSeconds(3), T0.plusSeconds(24), null);
        assertThat(warning.freshness()).isEqualTo(Duration.ofSeconds(22));
        assertThat(warning.level()).isEqualTo(Level.WARNING);
        assertThat(tracker.observe(T0.plusSeconds(40), null, T0.plusSeconds(39), "refused").level())
                .as("an unreachable sink keeps its last known heartbeat and grows older").isEqualTo(Level.CRITICAL);
    }

    @Test
    void stalledOnlyWithoutProgressWhileNewerHeartbeatsWait() {
        SloTracker slow = new SloTracker(slo(), T0);
        for (int s = 0; s <= 120; s += 5) {
            // progress every check, 45 s late: slow, never stalled
            SloTracker.Reading r = slow.observe(T0.plusSeconds(s), T0.plusSeconds(s - 45), T0.plusSeconds(s), null);
            assertThat(r.stalled()).isFalse();
        }
        assertThat(slow.last().level()).isEqualTo(Level.CRITICAL);

        SloTracker stuck = new SloTracker(slo(), T0);
        stuck.observe(T0.plusSeconds(1), T0, T0.plusSeconds(1), null);
        assertThat(stuck.observe(T0.plusSeconds(50), T0, T0.plusSeconds(50), null).stalled()).isFalse();
        assertThat(stuck.observe(T0.plusSeconds(62), T0, T0.plusSeconds(62), null).stalled()).isTrue();

        SloTracker idle = new SloTracker(slo(), T0);
        idle.observe(T0.plusSeconds(1), T0, T0, null);
        assertThat(idle.observe(T0.plusSeconds(90), T0, T0, null).stalled())
                .as("nothing waiting (no newer heartbeat written): not stalled").isFalse();
    }

    @Test
    void badMinutesSpendTheErrorBudget() {
        SloTracker tracker = new SloTracker(slo(), T0);
        // 10 minutes fresh, 1 minute at 40 s behind, then one check in the next minute closes it
        for (int s = 0; s < 600; s += 10) {
            tracker.observe(T0.plusSeconds(s), T0.plusSeconds(s - 2), T0.plusSeconds(s), null);
        }
        for (int s = 600; s < 660; s += 10) {
            tracker.observe(T0.plusSeconds(s), T0.plusSeconds(s - 40), T0.plusSeconds(s), null);
        }
        tracker.observe(T0.plusSeconds(660), T0.plusSeconds(658), T0.plusSeconds(660), null);
        assertThat(tracker.goodMinutes()).isEqualTo(10);
        assertThat(tracker.badMinutes()).isEqualTo(1);
        // window 100 minutes at 99 %: 1 bad minute allowed, 1 spent
        assertThat(tracker.errorBudgetLeft()).isEqualTo(0.0, Offset.offset(1e-9));
    }

    @Test
    void aTableIsAsFreshAsItsCompleteUpToAndStallsOnlyWhileItsChangesWait() {
        MonitorConfig.Slo perTable = new MonitorConfig.Slo("t", "search", "shop_*", Duration.ofSeconds(30), 0.99,
                Duration.ofMinutes(100), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ZERO);
        assertThat(perTable.covers("shop_orders")).isTrue();
        assertThat(perTable.covers("other_orders")).isFalse();
        SloTracker orders = new SloTracker(perTable, "shop_orders", T0);
        assertThat(orders.table()).isEqualTo("shop_orders");
        // A change of 10:00:05 waits in the sink: complete up to just before it, however new the heartbeat.
        for (int s = 6; s <= 70; s += 2) {
            orders.observe(T0.plusSeconds(s), T0.plusSeconds(5).minusMillis(1), true, null);
        }
        SloTracker.Reading held = orders.last();
        assertThat(held.freshness()).isEqualTo(Duration.ofSeconds(65).plusMillis(1));
        assertThat(held.level()).isEqualTo(Level.CRITICAL);
        assertThat(held.stalled()).as("no progress for over a minute while its changes wait").isTrue();
        SloTracker.Reading applied = orders.observe(T0.plusSeconds(72), T0.plusSeconds(70), false, null);
        assertThat(applied.freshness()).isEqualTo(Duration.ofSeconds(2));
        assertThat(applied.stalled()).isFalse();

        SloTracker quiet = new SloTracker(perTable, "shop_quiet", T0);
        for (int s = 0; s <= 120; s += 2) {
            quiet.observe(T0.plusSeconds(s), T0, false, null);
        }
        assertThat(quiet.last().stalled()).as("nothing waits for a quiet table: old, but not stalled").isFalse();
    }
}
