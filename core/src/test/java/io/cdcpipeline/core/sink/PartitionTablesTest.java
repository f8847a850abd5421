package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Which tables a task lets go of when Connect takes partitions from it. */
class PartitionTablesTest {

    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId ITEMS = new TableId("public", "items");
    private final PartitionTables tables = new PartitionTables();

    @Test
    void aTableIsLetGoOfOnlyOnceNoPartitionLeftBringsIt() {
        tables.seen(record("shop.orders", 0), ORDERS);
        tables.seen(record("shop.orders", 0), ORDERS);
        tables.seen(record("shop.items", 0), ITEMS);
        tables.seen(record("shop.items", 1), ITEMS);

        assertThat(tables.revoke(List.of(new TopicPartition("shop.items", 0), new TopicPartition("shop.orders", 0))))
                .as("items still comes from partition 1").containsExactly(ORDERS);
        assertThat(tables.revoke(List.of(new TopicPartition("shop.items", 1)))).containsExactly(ITEMS);
        assertThat(tables.revoke(List.of(new TopicPartition("shop.items", 1)))).as("already let go of").isEmpty();
    }

    @Test
    void aTableSeenAgainAfterItsPartitionCameBackIsLetGoOfAgain() {
        tables.seen(record("shop.orders", 0), ORDERS);
        assertThat(tables.revoke(List.of(new TopicPartition("shop.orders", 0)))).containsExactly(ORDERS);
        tables.seen(record("shop.orders", 0), ORDERS); // the same record again: no stale shortcut after a revoke
        assertThat(tables.revoke(List.of(new TopicPartition("shop.orders", 0)))).containsExactly(ORDERS);
    }

    @Test
    void aRecordWhoseTopicATransformRenamedBelongsToThePartitionConnectConsumedItFrom() {
        tables.seen(record("shop.orders", 0).newRecord("orders", 0, null, null, null, null, null), ORDERS);
        assertThat(tables.revoke(List.of(new TopicPartition("orders", 0)))).as("not a partition Connect reads").isEmpty();
        assertThat(tables.revoke(List.of(new TopicPartition("shop.orders", 0)))).containsExactly(ORDERS);
    }

    private static SinkRecord record(String topic, int partition) {
        return new SinkRecord(topic, partition, null, null, null, null, 0L);
    }
}
