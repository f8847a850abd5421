package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.snapshot.Notifications;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.sink.SinkRecord;
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

    private static SinkRecord record(String topic, long offset) {
        return new SinkRecord(topic, 0, null, null, null, null, offset);
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(long codes, long other) {
        return Map.of(new TopicPartition("codes", 0), new OffsetAndMetadata(codes),
                new TopicPartition("other", 0), new OffsetAndMetadata(other));
    }

    @Test
    void whereConnectDealsPartitionsOutARunningRebuildHoldsItsPartitionAtItsFirstRecordUntilTheSwap() {
        rebuilds.partitionsMove();
        rebuilds.seen(CODES, record("codes", 3));
        assertThat(rebuilds.holdBack(offsets(10, 10))).as("no rebuild runs").isEqualTo(offsets(10, 10));

        rebuilds.add(CODES, "codes_rebuild");
        rebuilds.seen(CODES, record("codes", 5)); // the record that started it
        rebuilds.seen(CODES, record("codes", 6));
        rebuilds.seen(new TableId("public", "other"), record("other", 7));
        assertThat(rebuilds.holdBack(offsets(40, 40)))
                .as("the next owner of the partition reads the record that started the rebuild again")
                .isEqualTo(offsets(5, 40));
        assertThat(rebuilds.holdBack(offsets(4, 40))).as("never moved forward").isEqualTo(offsets(4, 40));

        rebuilds.onNotification(Notifications.incrementalScanned("codes", "SUCCEEDED"));
        rebuilds.due(r -> 0);
        rebuilds.completed(CODES, "kept");
        assertThat(rebuilds.holdBack(offsets(40, 40))).as("swapped in").isEqualTo(offsets(40, 40));
    }

    @Test
    void aRenamedTopicHoldsThePartitionConnectConsumedFrom() {
        rebuilds.partitionsMove();
        rebuilds.add(CODES, "codes_rebuild");
        SinkRecord routed = record("codes", 5).newRecord("codes_routed", 0, null, null, null, null, null);
        rebuilds.seen(CODES, routed);
        assertThat(rebuilds.holdBack(offsets(40, 40))).isEqualTo(offsets(5, 40));
    }

    @Test
    void theHoldEndsWithTheHandOver() {
        rebuilds.partitionsMove();
        rebuilds.add(CODES, "codes_rebuild");
        rebuilds.seen(CODES, record("codes", 5));
        rebuilds.handOver(CODES);
        assertThat(rebuilds.holdBack(offsets(40, 40))).isEqualTo(offsets(40, 40));
    }

    @Test
    void theEmbeddedRunnersSingleTaskIsNeverHeldBack() {
        rebuilds.add(CODES, "codes_rebuild");
        rebuilds.seen(CODES, record("codes", 5));
        assertThat(rebuilds.holdBack(offsets(40, 40))).as("its runner waits for every offset of a batch")
                .isEqualTo(offsets(40, 40));
    }
}
