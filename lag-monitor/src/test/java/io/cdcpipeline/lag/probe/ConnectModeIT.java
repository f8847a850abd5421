package io.cdcpipeline.lag.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.lag.LagMonitor;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connect mode against the stack's real Kafka 4.3 broker and Connect worker: consumer-group lag in records (and an
 * estimate in seconds once the group moves), and connector/task states from the REST API, a failed task included.
 */
@RealStack(kafka = true)
class ConnectModeIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void consumerGroupLagInRecordsAndSeconds(StackEndpoints stack) throws Exception {
        String bootstrap = stack.requireKafkaBootstrap();
        String topic = "lag-" + UUID.randomUUID();
        String connector = "lagtest-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 2, null, "change " + i));
                }
                producer.flush();
            }
            try (KafkaConsumer<String, String> group = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, ConsumerLagProbe.groupOf(connector)),
                    new StringDeserializer(), new StringDeserializer());
                 ConsumerLagProbe probe = new ConsumerLagProbe(bootstrap)) {
                TopicPartition p0 = new TopicPartition(topic, 0);
                TopicPartition p1 = new TopicPartition(topic, 1);
                group.commitSync(Map.of(p0, new OffsetAndMetadata(20), p1, new OffsetAndMetadata(20)));
                Instant t0 = Instant.now();
                ConsumerLagProbe.GroupLag first = probe.read(ConsumerLagProbe.groupOf(connector), t0);
                assertThat(first.records()).isEqualTo(60);
                assertThat(first.recordsByTopic()).containsEntry(topic, 60L);
                assertThat(first.seconds()).as("the age of the oldest unconsumed record, produced just now")
                        .isNotNull().isBetween(0.0, 60.0);

                // The group stops committing: the lag in seconds keeps growing (it once turned null, as its
                // estimate came from the commit rate).
                ConsumerLagProbe.GroupLag stalled = probe.read(ConsumerLagProbe.groupOf(connector), t0.plusSeconds(30));
                assertThat(stalled.records()).isEqualTo(60);
                assertThat(stalled.seconds()).isEqualTo(first.seconds() + 30, Offset.offset(0.01));

                group.commitSync(Map.of(p0, new OffsetAndMetadata(30), p1, new OffsetAndMetadata(50)));
                ConsumerLagProbe.GroupLag second = probe.read(ConsumerLagProbe.groupOf(connector), t0.plusSeconds(40));
                assertThat(second.records()).isEqualTo(20);
                assertThat(second.seconds()).as("the oldest waiting record is still from the same burst")
                        .isBetween(40.0, 100.0);
                group.commitSync(Map.of(p0, new OffsetAndMetadata(50), p1, new OffsetAndMetadata(50)));
                assertThat(probe.read(ConsumerLagProbe.groupOf(connector), t0.plusSeconds(50)).seconds())
                        .as("nothing waits").isZero();
                ReliabilityCase.defect("Connect-mode lag in seconds turned null when the consumer group stopped "
                                + "committing").mode("Connect")
                        .expected("the age of the oldest unconsumed record, growing while the group is stalled")
                        .observed("60 records waiting: lag grew by exactly 30 s over 30 s without commits; 0 once "
                                + "everything was committed").record();
            }
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void connectorAndTaskStatesIncludingAFailedTask(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        URI connect = URI.create(stack.requireConnectUrl());
        String good = "lagtest-ok-" + UUID.randomUUID().toString().substring(0, 8);
        String bad = "lagtest-bad-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            create(connect, good, "/tmp/" + good + ".txt");
            create(connect, bad, "/nonexistent-dir-" + bad + "/out.txt"); // the task cannot open its file
            ConnectProbe probe = new ConnectProbe(connect, http);
            long deadline = System.nanoTime() + 60_000_000_000L;
            List<ConnectProbe.ConnectorState> states = probe.read();
            while (System.nanoTime() < deadline && !(state(states, good, "RUNNING") && failed(states, bad))) {
                Thread.sleep(500);
                states = probe.read();
            }
            assertThat(state(states, good, "RUNNING")).as("%s running in %s", good, states).isTrue();
            ConnectProbe.ConnectorState failedOne = states.stream().filter(s -> s.name().equals(bad)).findFirst()
                    .orElseThrow();
            assertThat(failedOne.failed()).isTrue();
            assertThat(failedOne.type()).isEqualTo("sink");
            assertThat(failedOne.tasks()).anySatisfy(t -> {
                assertThat(t.state()).isEqualTo("FAILED");
                assertThat(t.error()).isNotBlank();
            });

            // The monitor in Connect mode: the failed connector makes it unhealthy and raises a critical alert,
            // and the running sink connector's consumer group is measured.
            Path config = work.resolve("lag.yaml");
            Files.writeString(config, """
                    postgres: {url: "%s", user: %s}
                    sinks:
                      analytics: {type: clickhouse, url: "%s", database: %s}
                    slos:
                      - {sink: analytics, threshold: 1h}
                    connect: {url: "%s", kafka: "%s", connectors: [%s, %s]}
                    """.formatted(pg.jdbcUrl(), pg.user(), ch.url(), ch.name(), connect, stack.requireKafkaBootstrap(),
                    good, bad));
            try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC())) {
                monitor.prepare();
                monitor.check();
                assertThat(monitor.unhealthyReasons()).anySatisfy(r -> assertThat(r).contains(bad).contains("failed"));
                assertThat(monitor.unhealthyReasons()).noneSatisfy(r -> assertThat(r).contains(good));
                assertThat(monitor.consumerLags()).containsKey(good);
                assertThat(monitor.consumerLags().get(good).records()).isZero();
            }
        } finally {
            delete(connect, good);
            delete(connect, bad);
        }
    }

    private static boolean state(List<ConnectProbe.ConnectorState> states, String name, String state) {
        return states.stream().anyMatch(s -> s.name().equals(name) && s.state().equals(state)
                && !s.tasks().isEmpty() && s.tasks().stream().allMatch(t -> t.state().equals(state)));
    }

    private static boolean failed(List<ConnectProbe.ConnectorState> states, String name) {
        return states.stream().anyMatch(s -> s.name().equals(name) && s.failed());
    }

    private void create(URI connect, String name, String file) throws Exception {
        String body = """
                {"name": "%s", "config": {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                 "tasks.max": "1", "topics": "%s-topic", "file": "%s"}}""".formatted(name, name, file);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(connect.resolve("/connectors"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("creating %s: %s", name, response.body()).isEqualTo(201);
    }

    private void delete(URI connect, String name) throws Exception {
        http.send(HttpRequest.newBuilder(connect.resolve("/connectors/" + name)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
