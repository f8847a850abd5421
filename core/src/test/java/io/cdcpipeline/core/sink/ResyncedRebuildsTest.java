package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.snapshot.Notifications;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** When a rebuild counts as complete: only its own table's incremental-snapshot completion, else by counting. */
class ResyncedRebuildsTest {

    private static final TableId CODES = new TableId("public", "codes");

    /** No source database configured: a count of the source fails, as when it is unreachable. */
    private final ResyncedRebuilds<String> rebuilds = new ResyncedRebuilds<>(
            new AbstractConfig(SourceCheckConfig.define(new ConfigDef()), Map.of()),
            LoggerFactory.getLogger(ResyncedRebuildsTest.class));
    private final AtomicInteger counted = new AtomicInteger();

    @Test
    void theIncrementalSnapshotOfTheTableCompletesItWithoutCounting() {
        rebuilds.add(CODES, "codes_rebuild");
        rebuilds.due(r -> counted.incrementAndGet()); // the first look, which cannot count the source here
        rebuilds.onNotification(Notifications.tableScanned("codes", 7, 100L));
        rebuilds.onNotification(Notifications.incrementalScanned("other", "SUCCEEDED"));
        rebuilds.onNotification(Notifications.incrementalScanned("codes", "STOPPED"));
        assertThat(rebuilds.anyCheckDue()).as("an initial snapshot, another table, a stopped scan").isFalse();

        rebuilds.onNotification(Notifications.incrementalScanned("codes", "SUCCEEDED"));
        assertThat(rebuilds.anyCheckDue()).isTrue();
        assertThat(rebuilds.due(r -> counted.incrementAndGet())).containsExactly(CODES);
        assertThat(counted).as("nothing counted after the first look").hasValue(1);
        rebuilds.completed(CODES, "kept");
        assertThat(rebuilds.get(CODES)).isNull();
        assertThat(rebuilds.due(r -> counted.incrementAndGet())).isEmpty();
    }

    @Test
    void withoutTheNotificationACountThatCannotBeMadeLeavesItRunningAndLooksAgainOnlyLater() {
        rebuilds.add(CODES, "codes_rebuild");
        assertThat(rebuilds.due(r -> counted.incrementAndGet())).as("the source cannot be counted").isEmpty();
        assertThat(counted).hasValue(1);
        assertThat(rebuilds.due(r -> counted.incrementAndGet())).isEmpty();
        assertThat(counted).as("not looked at again within %s ms", ResyncedRebuilds.CHECK_EVERY_MS).hasValue(1);
        assertThat(rebuilds.get(CODES)).isEqualTo("codes_rebuild");
    }

    @Test
    void aNewRebuildAsksForALookAndOneJustLookedAtDoesNot() {
        rebuilds.add(CODES, "codes_rebuild");
        assertThat(rebuilds.anyCheckDue()).as("never looked at").isTrue();
        rebuilds.due(r -> counted.incrementAndGet());
        assertThat(rebuilds.anyCheckDue()).as("looked at just now").isFalse();
        rebuilds.onNotification(Notifications.incrementalScanned("codes", "SUCCEEDED"));
        assertThat(rebuilds.anyCheckDue()).as("its snapshot completed: swap now").isTrue();
    }

    @Test
    void aRebuildHandedOverToAnotherTaskIsNeitherCountedNorSwappedHere() {
        rebuilds.add(CODES, "codes_rebuild");
        rebuilds.onNotification(Notifications.incrementalScanned("codes", "SUCCEEDED"));
        rebuilds.handOver(CODES);
        assertThat(rebuilds.get(CODES)).isNull();
        assertThat(rebuilds.anyCheckDue()).isFalse();
        assertThat(rebuilds.due(r -> counted.incrementAndGet())).isEmpty();
        assertThat(counted).hasValue(0);
        rebuilds.handOver(CODES); // a second revocation of the same table changes nothing
        assertThat(rebuilds.all()).isEmpty();
    }
}
