package io.cdcpipeline.testkit;

import java.util.Map;
import java.util.Optional;

/**
 * Where the servers of the stack answer, as {@code bin/cdc stack env} prints them.
 *
 * @param pgHost         PostgreSQL host
 * @param pgPort         PostgreSQL port
 * @param pgUser         PostgreSQL superuser (trust authentication on the local stack)
 * @param clickHouseUrl  ClickHouse HTTP endpoint, e.g. {@code http://127.0.0.1:28123}
 * @param clickHouseNativePort ClickHouse native protocol port
 * @param elasticsearchUrl Elasticsearch HTTP endpoint
 * @param kafkaBootstrap Kafka bootstrap servers, when Kafka is part of the stack
 * @param connectUrl     Kafka Connect REST endpoint, when Kafka is part of the stack
 */
public record StackEndpoints(
        String pgHost,
        int pgPort,
        String pgUser,
        String clickHouseUrl,
        int clickHouseNativePort,
        String elasticsearchUrl,
        Optional<String> kafkaBootstrap,
        Optional<String> connectUrl) {

    /** Reads the {@code CDC_*} keys; names the first one that is missing or malformed. */
    public static StackEndpoints fromEnv(Map<String, String> env) {
        return new StackEndpoints(
                required(env, "CDC_PG_HOST"),
                port(env, "CDC_PG_PORT"),
                required(env, "CDC_PG_USER"),
                required(env, "CDC_CH_URL"),
                port(env, "CDC_CH_NATIVE_PORT"),
                required(env, "CDC_ES_URL"),
                Optional.ofNullable(env.get("CDC_KAFKA_BOOTSTRAP")).filter(v -> !v.isBlank()),
                Optional.ofNullable(env.get("CDC_CONNECT_URL")).filter(v -> !v.isBlank()));
    }

    /** JDBC URL of a database on the stack's PostgreSQL server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + database;
    }

    public boolean hasKafka() {
        return kafkaBootstrap.isPresent() && connectUrl.isPresent();
    }

    /** The Kafka bootstrap servers; fails, naming the cause, when the stack was started without Kafka. */
    public String requireKafkaBootstrap() {
        return kafkaBootstrap.orElseThrow(() -> new IllegalStateException(
                "the stack has no Kafka: annotate the test with @RealStack(kafka = true)"));
    }

    /** The Kafka Connect REST URL; fails, naming the cause, when the stack was started without Kafka. */
    public String requireConnectUrl() {
        return connectUrl.orElseThrow(() -> new IllegalStateException(
                "the stack has no Kafka Connect worker: annotate the test with @RealStack(kafka = true)"));
    }

    private static String required(Map<String, String> env, String key) {
        String value = env.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("stack endpoint " + key + " is not set");
        }
        return value.trim();
    }

    private static int port(Map<String, String> env, String key) {
        String value = required(env, key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stack endpoint " + key + " must be a port number, got '" + value + "'");
        }
    }
}
