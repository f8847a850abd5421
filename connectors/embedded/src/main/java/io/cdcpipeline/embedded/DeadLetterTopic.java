package io.cdcpipeline.embedded;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Connect sink's dead-letter topic, counted per source table: every record from the beginning to the end the topic
 * has now, by the topic it was read from (the {@code __connect.errors.topic} header Connect adds with
 * {@code errors.deadletterqueue.context.headers.enable}), Debezium's {@code <prefix>.<schema>.<table>} read back as
 * {@code schema.table}. Read without a consumer group: nothing is committed, the sink's own reading is untouched.
 */
final class DeadLetterTopic {

    static final String ORIGINAL_TOPIC = "__connect.errors.topic";
    /** Records whose original topic is not known (context headers off). */
    static final String UNKNOWN = "(unknown table)";

    private DeadLetterTopic() {
    }

    static Map<String, Long> countsByTable(String bootstrap, String topic, String topicPrefix, Duration timeout) {
        Map<String, Long> counts = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = reader(bootstrap, "cdc-validate-dead-letters")) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
            if (partitions == null || partitions.isEmpty()) {
                return counts; // no dead letter yet: Connect creates the topic with the first
            }
            List<TopicPartition> assigned = new ArrayList<>();
            partitions.forEach(p -> assigned.add(new TopicPartition(topic, p.partition())));
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(assigned, timeout));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading dead-letter topic " + topic + " at " + bootstrap
                            + " took longer than " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        counts.merge(tableOf(record.headers().lastHeader(ORIGINAL_TOPIC), topicPrefix), 1L, Long::sum);
                    }
                }
            }
        }
        return counts;
    }

    /**
     * A consumer that only reads what it is assigned: no group, nothing committed, no topic created by asking for
     * it (validate's reads of a deployment's Kafka).
     */
    static KafkaConsumer<byte[], byte[]> reader(String bootstrap, String clientId) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static String tableOf(Header original, String topicPrefix) {
        if (original == null || original.value() == null) {
            return UNKNOWN;
        }
        String topic = new String(original.value(), StandardCharsets.UTF_8);
        return topicPrefix != null && topic.startsWith(topicPrefix + ".") ? topic.substring(topicPrefix.length() + 1)
                : topic;
    }
}
