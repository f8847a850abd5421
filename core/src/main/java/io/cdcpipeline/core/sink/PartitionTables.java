package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.TableId;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Which source tables each topic partition has brought to this sink task. On a Connect cluster the consumer group
 * moves partitions between tasks (a worker joins or leaves, a topic matching {@code topics.regex} appears), and a
 * task must let go of what it keeps per table, such as a running rebuild, once another task writes that table: two
 * tasks each swapping the same rebuild in would leave one of them writing into a table that no longer exists. Not
 * thread-safe; used under the sink's lock.
 */
public final class PartitionTables {

    private final Map<TopicPartition, Set<TableId>> tables = new HashMap<>();
    // Batches are long runs of one table from one partition: most records need no map lookup at all.
    private String lastTopic;
    private Integer lastPartition;
    private TableId lastTable;

    /**
     * A record of {@code table} came from the record's topic partition: the one Connect consumed it from, which is
     * what it revokes, even when a transform renamed the record's topic.
     */
    public void seen(SinkRecord record, TableId table) {
        if (table.equals(lastTable) && record.originalTopic().equals(lastTopic)
                && Objects.equals(record.originalKafkaPartition(), lastPartition)) {
            return;
        }
        int partition = record.originalKafkaPartition() == null ? 0 : record.originalKafkaPartition();
        tables.computeIfAbsent(new TopicPartition(record.originalTopic(), partition), p -> new HashSet<>()).add(table);
        lastTopic = record.originalTopic();
        lastPartition = record.originalKafkaPartition();
        lastTable = table;
    }

    /**
     * Forgets the partitions this task no longer owns; returns the tables that none of its remaining partitions has
     * brought, which this task must stop keeping state for.
     */
    public Set<TableId> revoke(Collection<TopicPartition> partitions) {
        Set<TableId> revoked = new HashSet<>();
        for (TopicPartition partition : partitions) {
            Set<TableId> of = tables.remove(partition);
            if (of != null) {
                revoked.addAll(of);
            }
        }
        tables.values().forEach(revoked::removeAll);
        lastTopic = null;
        lastPartition = null;
        lastTable = null;
        return revoked;
    }
}
