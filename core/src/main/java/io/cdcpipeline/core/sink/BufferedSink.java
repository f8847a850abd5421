package io.cdcpipeline.core.sink;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/** The part of a sink that buffers records and writes them in batches; {@link BufferingSinkTask} drives it. */
public interface BufferedSink extends AutoCloseable {

    void put(Collection<SinkRecord> records);

    /** Writes what is buffered and returns the offsets of {@code current} whose records the target acknowledged. */
    Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current);

    /** Writes what is buffered if it is old enough; called from a timer thread. */
    void flushIfDue();

    /**
     * The task reads partitions that a consumer group deals out and may take away again (a Connect cluster): state
     * kept per table must survive a table moving to another task. The embedded runner's task never hears this.
     */
    void partitionsMove();

    /** Connect took these partitions away from the task: it must keep nothing for the tables they brought. */
    void forget(Collection<TopicPartition> partitions);

    @Override
    void close();
}
