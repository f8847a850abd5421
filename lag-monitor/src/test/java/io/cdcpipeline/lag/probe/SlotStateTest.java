package io.cdcpipeline.lag.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a slot counts as in trouble, and the retained-WAL limit it is held to. */
class SlotStateTest {

    @Test
    void theLimitIsConfiguredElseHalfOfMaxSlotWalKeepSizeElseTenGigabytes() {
        assertThat(SlotProbe.limit(5L << 20, 4096)).as("configured").isEqualTo(5L << 20);
        assertThat(SlotProbe.limit(0, 4096)).as("half of 4096 MB").isEqualTo(2048L << 20);
        assertThat(SlotProbe.limit(0, -1)).as("unlimited keep size").isEqualTo(10L << 30);
    }

    @Test
    void troubleIsMissingLostUnreservedOrAboveTheLimit() {
        assertThat(new SlotProbe.SlotState(true, true, 100, 10, "reserved", 1000).trouble("s")).isNull();
        assertThat(new SlotProbe.SlotState(true, false, 100, 10, "extended", 1000).trouble("s"))
                .as("inactive or extended: an alert (ticket), not unhealthy").isNull();
        assertThat(new SlotProbe.SlotState(true, true, 5000L << 20, 10, "reserved", 1000L << 20).trouble("s"))
                .contains("keeps 5000 MB").contains("limit of 1000 MB");
        assertThat(new SlotProbe.SlotState(true, true, 0, 0, "lost", 1000).trouble("s")).contains("lost WAL")
                .contains("new snapshot");
        assertThat(new SlotProbe.SlotState(true, true, 0, 0, "unreserved", 1000).trouble("s"))
                .contains("drop it at the next checkpoint");
        assertThat(new SlotProbe.SlotState(false, false, 0, 0, "missing", 1000).trouble("s")).contains("missing");
    }
}
