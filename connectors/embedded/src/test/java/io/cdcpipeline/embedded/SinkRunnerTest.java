package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a sink's thread hands batches to its task: the batches that queued while the task was busy go in one put and
 * one commit, and the sink reports the last of them written only once the task's commit covers them.
 */
class SinkRunnerTest {

    /** The batches a task was given, and a gate that holds its first put until the test opens it. */
    static final List<List<SinkRecord>> PUTS = new CopyOnWriteArrayList<>();
    static final List<Map<TopicPartition, OffsetAndMetadata>> COMMITS = new CopyOnWriteArrayList<>();
    static volatile CountDownLatch firstPutEntered;
    static volatile CountDownLatch firstPutReleased;

    @Test
    void batchesThatQueuedWhileTheTaskWasBusyGoInOnePutAndOneCommit(@TempDir Path dir) throws Exception {
        PUTS.clear();
        COMMITS.clear();
        firstPutEntered = new CountDownLatch(1);
        firstPutReleased = new CountDownLatch(1);
        RunnerConfig runner = new RunnerConfig(Map.of(RunnerConfig.SINKS, "scripted",
                RunnerConfig.DEAD_LETTER_DIR, dir.toString()));
        SinkRunner sink = SinkRunner.validate("scripted", Map.of("connector.class",
                ScriptedConnector.class.getName()), runner);
        sink.start();
        try {
            sink.enqueue(1, records(0, 2), 10);
            assertThat(firstPutEntered.await(10, TimeUnit.SECONDS)).isTrue();
            sink.enqueue(2, records(2, 3), 10);
            sink.enqueue(3, records(5, 1), 10);
            sink.enqueue(4, records(6, 4), 10);
            assertThat(sink.written()).as("nothing committed yet").isZero();
            firstPutReleased.countDown();
            assertThat(sink.drain(10_000)).isTrue();

            assertThat(PUTS).extracting(List::size).containsExactly(2, 8);
            assertThat(PUTS.get(1)).extracting(SinkRecord::kafkaOffset).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(COMMITS).hasSize(2);
            assertThat(COMMITS.get(1).get(new TopicPartition("t", 0)).offset()).isEqualTo(10);
            assertThat(sink.written()).as("the last batch of the group").isEqualTo(4);
            assertThat(sink.queuedBytes()).isZero();
        } finally {
            sink.close();
        }
    }

    private static List<SinkRecord> records(long from, int count) {
        List<SinkRecord> records = new ArrayList<>();
        for (long offset = from; offset < from + count; offset++) {
            records.add(new SinkRecord("t", 0, null, null, null, "v" + offset, offset));
        }
        return records;
    }

    public static final class ScriptedConnector extends SinkConnector {
        @Override
        public void start(Map<String, String> props) {
        }

        @Override
        public Class<? extends Task> taskClass() {
            return ScriptedTask.class;
        }

        @Override
        public List<Map<String, String>> taskConfigs(int maxTasks) {
            return List.of(new HashMap<>());
        }

        @Override
        public void stop() {
        }

        @Override
        public ConfigDef config() {
            return new ConfigDef();
        }

        @Override
        public String version() {
            return "test";
        }
    }

    /** Takes every record at once and reports all of them written at the next commit. */
    public static final class ScriptedTask extends SinkTask {
        private final Map<TopicPartition, OffsetAndMetadata> taken = new HashMap<>();

        @Override
        public void start(Map<String, String> props) {
        }

        @Override
        public void put(Collection<SinkRecord> records) {
            PUTS.add(new ArrayList<>(records));
            for (SinkRecord r : records) {
                taken.put(new TopicPartition(r.topic(), r.kafkaPartition()), new OffsetAndMetadata(r.kafkaOffset() + 1));
            }
            if (PUTS.size() == 1) {
                firstPutEntered.countDown();
                try {
                    firstPutReleased.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current) {
            COMMITS.add(new HashMap<>(taken));
            return new HashMap<>(taken);
        }

        @Override
        public void stop() {
        }

        @Override
        public String version() {
            return "test";
        }
    }
}
