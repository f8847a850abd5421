package io.cdcpipeline.embedded;

import io.cdcpipeline.core.consistency.CatchUp;
import io.cdcpipeline.core.position.SourceDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Connect deployment's "complete up to": a mark is written into the signal table (Debezium's {@code log} action,
 * which only logs); once the mark is in its Kafka topic, every change committed before it is in Kafka too (Debezium
 * hands changes on in commit order), so the wait then notes the end of every topic each sink reads and ends when
 * each sink's consumer group has committed past those ends: the sink flushed them.
 */
final class ConnectCatchUp implements CatchUp {

    private final Map<String, String> source;
    private final Map<String, Map<String, String>> sinks;
    private final String bootstrap;
    private final Duration timeout;

    ConnectCatchUp(Map<String, String> source, Map<String, Map<String, String>> sinks, String bootstrap,
            Duration timeout) {
        this.source = source;
        this.sinks = sinks;
        this.bootstrap = bootstrap;
        this.timeout = timeout;
    }

    @Override
    public String await() throws InterruptedException {
        String signalTable = source.get("signal.data.collection");
        if (signalTable == null || signalTable.isBlank() || bootstrap == null || bootstrap.isBlank()) {
            return "no signal table or Kafka to wait through (signal.data.collection, --kafka-bootstrap); settled "
                    + "by time";
        }
        String mark = "cdc-validate-mark-" + UUID.randomUUID();
        String signalTopic = source.get("topic.prefix") + "." + signalTable;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection db = SourceDatabase.connect(source); Admin admin = Admin.create(adminProps());
                KafkaConsumer<byte[], byte[]> consumer = DeadLetterTopic.reader(bootstrap, "cdc-validate-catch-up")) {
            // Where the signal topic ends now (it may not exist yet: Debezium creates it with its first record).
            Map<TopicPartition, Long> before = admin.listTopics().names().get().contains(signalTopic)
                    ? ends(admin, partitions(admin, List.of(signalTopic))) : Map.of();
            execute(db, "INSERT INTO " + signalTable + " (id, type, data) VALUES (?, 'log', ?)", mark,
                    "{\"message\": \"bin/cdc validate waits for the sinks to pass this mark\"}");
            try {
                if (!markArrived(admin, consumer, signalTopic, before, mark, deadline)) {
                    return "the mark did not reach " + signalTopic + " within " + timeout.toSeconds()
                            + " s (is the source connector running?); settled by time";
                }
                for (Map.Entry<String, Map<String, String>> sink : sinks.entrySet()) {
                    String group = sink.getValue().getOrDefault("consumer.override.group.id",
                            "connect-" + sink.getKey());
                    Map<TopicPartition, Long> ends = ends(admin, partitions(admin, topicsOf(admin, sink.getValue())));
                    while (!passed(admin, group, ends)) {
                        if (System.nanoTime() > deadline) {
                            return "sink " + sink.getKey() + " (consumer group " + group + ") did not commit past "
                                    + "the mark within " + timeout.toSeconds() + " s; settled by time";
                        }
                        Thread.sleep(250);
                    }
                }
                return "every sink's consumer group committed past the mark (every sink holds what was committed "
                        + "before it)";
            } finally {
                execute(db, "DELETE FROM " + signalTable + " WHERE id = ?", mark);
            }
        } catch (SQLException | RuntimeException | ExecutionException e) {
            return "cannot follow the deployment's position (" + e.getMessage() + "); settled by time";
        }
    }

    /** Reads the signal topic from where it ended before the mark was written until the mark shows. */
    private boolean markArrived(Admin admin, KafkaConsumer<byte[], byte[]> consumer, String topic,
            Map<TopicPartition, Long> before, String mark, long deadline) throws InterruptedException,
            ExecutionException {
        while (!admin.listTopics().names().get().contains(topic)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
        List<TopicPartition> partitions = partitions(admin, List.of(topic));
        consumer.assign(partitions);
        partitions.forEach(p -> consumer.seek(p, before.getOrDefault(p, 0L)));
        byte[] needle = mark.getBytes(StandardCharsets.UTF_8);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                if (contains(record.key(), needle) || contains(record.value(), needle)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The topics a sink reads: its {@code topics} list, or those {@code topics.regex} matches. */
    private List<String> topicsOf(Admin admin, Map<String, String> sink) throws InterruptedException,
            ExecutionException {
        String listed = sink.get("topics");
        if (listed != null && !listed.isBlank()) {
            return Arrays.stream(listed.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        }
        Pattern regex = Pattern.compile(sink.getOrDefault("topics.regex", "(?!)"));
        return admin.listTopics().names().get().stream().filter(t -> regex.matcher(t).matches()).toList();
    }

    private List<TopicPartition> partitions(Admin admin, List<String> topics) throws InterruptedException,
            ExecutionException {
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) -> description.partitions()
                .forEach(p -> partitions.add(new TopicPartition(topic, p.partition()))));
        return partitions;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<TopicPartition> partitions)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((p, info) -> ends.put(p, info.offset()));
        return ends;
    }

    private static boolean passed(Admin admin, String group, Map<TopicPartition, Long> ends)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            if (end.getValue() > 0 && (at == null || at.offset() < end.getValue())) {
                return false;
            }
        }
        return true;
    }

    private Properties adminProps() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "cdc-validate-catch-up");
        return props;
    }

    private static void execute(Connection db, String sql, String... values) throws SQLException {
        try (PreparedStatement st = db.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setString(i + 1, values[i]);
            }
            st.executeUpdate();
        }
    }
}
