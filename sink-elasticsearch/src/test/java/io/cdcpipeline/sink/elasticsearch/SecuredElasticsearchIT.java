package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.SideElasticsearch;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * TLS and authentication against a node with security on (a second node, started with {@code bin/cdc stack
 * side-es}, serving HTTPS with a certificate from its own CA): the sink writes over HTTPS with the CA in its trust
 * store and a user and password; validation names an untrusted certificate and wrong, missing or unknown
 * credentials (user and password, or an API key).
 */
@RealStack
class SecuredElasticsearchIT {

    private static final String PASSWORD = "s3cret-pw";

    @Test
    void basicAuthAndApiKeysWorkAndBadCredentialsAreNamed(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        List<SinkRecord> records = ElasticsearchSinkIT.captureItems(stack, pg).subList(0, 200);
        try (SideElasticsearch node = SideElasticsearch.start("secured", 29220, 29320, "xpack.security.enabled=true",
                "xpack.security.transport.ssl.enabled=false", "bootstrap.password=" + PASSWORD, "tls=true", "file-user=cdc_sink:cdc-sink-pw:cdc_sink")) {
            assertThat(node.url()).startsWith("https://");
            ElasticsearchSinkConnector connector = new ElasticsearchSinkConnector();

            Map<String, String> basic = config(node, "basic_${table}");
            basic.put(ElasticsearchSinkConfig.USERNAME, "elastic");
            basic.put(ElasticsearchSinkConfig.PASSWORD, PASSWORD);
            assertThat(errors(connector, basic)).isEmpty();
            assertThat(write(basic, records)).isEqualTo(200);

            // API keys cannot be made on this distribution: the .security index needs the analysis-common module
            // (pattern_capture), which the integ-test zip leaves out. A key that the node does not know is refused.
            Map<String, String> apiKey = config(node, "apikey_${table}");
            apiKey.put(ElasticsearchSinkConfig.API_KEY, Base64.getEncoder().encodeToString(
                    "no-such-id:no-such-key".getBytes(StandardCharsets.UTF_8)));
            assertThat(errors(connector, apiKey).get(ElasticsearchSinkConfig.URLS)).contains("refused the credentials");

            Map<String, String> untrusted = config(node, "untrusted_${table}");
            untrusted.put(ElasticsearchSinkConfig.USERNAME, "elastic");
            untrusted.put(ElasticsearchSinkConfig.PASSWORD, PASSWORD);
            untrusted.remove(ElasticsearchSinkConfig.TRUSTSTORE_LOCATION);
            assertThat(errors(connector, untrusted).get(ElasticsearchSinkConfig.URLS))
                    .as("a certificate the JVM does not trust").contains("cannot be reached");

            Map<String, String> wrong = config(node, "wrong_${table}");
            wrong.put(ElasticsearchSinkConfig.USERNAME, "elastic");
            wrong.put(ElasticsearchSinkConfig.PASSWORD, "not-it");
            assertThat(errors(connector, wrong).get(ElasticsearchSinkConfig.URLS)).contains("refused the credentials");
            assertThat(errors(connector, config(node, "none_${table}")).get(ElasticsearchSinkConfig.URLS))
                    .contains("refused the credentials");

            // An account (file realm) whose role the node does not define yet: the sink pauses naming the fix,
            // nothing is dead-lettered; once roles.yml lets the role write (the node re-reads it), every document lands.
            Map<String, String> limited = config(node, "limited_${table}");
            limited.put(ElasticsearchSinkConfig.USERNAME, "cdc_sink");
            limited.put(ElasticsearchSinkConfig.PASSWORD, "cdc-sink-pw");
            assertThatThrownBy(() -> write(limited, records)).isInstanceOf(TargetUnavailableException.class)
                    .hasMessageContaining("was not allowed (403)").hasMessageContaining("create_index, manage, write");
            // Allowed to make and read the index but not to write documents: the _bulk request is refused (no
            // document is at fault), and the sink pauses again.
            Path roles = Path.of(node.truststore()).resolveSibling("roles.yml");
            Files.writeString(roles, "cdc_sink:\n  indices:\n    - names: ['*']\n      privileges: "
                    + "['create_index', 'manage', 'read', 'view_index_metadata']\n");
            Await.until(() -> {
                TargetUnavailableException pause = pausedWriting(limited, records);
                return pause != null && pause.getMessage().contains("refused a _bulk request of the sink's account (403)");
            }, 60, "the index made, its documents refused");
            // May write other indices only: the _bulk request passes, each of its items is refused (403), and no
            // document is at fault either: the sink pauses, naming the index.
            Files.writeString(roles, "cdc_sink:\n  indices:\n    - names: ['*']\n      privileges: "
                    + "['create_index', 'manage', 'read', 'view_index_metadata']\n    - names: ['other_*']\n"
                    + "      privileges: ['write']\n");
            Await.until(() -> {
                TargetUnavailableException pause = pausedWriting(limited, records);
                return pause != null && pause.getMessage()
                        .contains("refused to write to index limited_items for the sink's account (403");
            }, 60, "the documents refused item by item");
            Files.writeString(roles, "cdc_sink:\n  indices:\n    - names: ['*']\n      privileges: ['all']\n");
            Await.until(() -> {
                try {
                    return write(limited, records) == 200;
                } catch (TargetUnavailableException | AssertionError notYet) {
                    return false; // the node re-reads roles.yml every few seconds; until then nothing is acknowledged
                }
            }, 60, "the role granted by roles.yml");
        }
    }

    private static Map<String, String> config(SideElasticsearch node, String indexFormat) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", ElasticsearchSinkConnector.class.getName());
        config.put(ElasticsearchSinkConfig.URLS, node.url());
        config.put(ElasticsearchSinkConfig.INDEX_NAME_FORMAT, indexFormat);
        config.put(ElasticsearchSinkConfig.TRUSTSTORE_LOCATION, node.truststore());
        config.put(ElasticsearchSinkConfig.TRUSTSTORE_PASSWORD, "changeit");
        return config;
    }

    /** Writes through the sink and returns how many documents the index then holds. */
    private static long write(Map<String, String> props, List<SinkRecord> records) throws Exception {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
        List<Throwable> deadLetters = new ArrayList<>();
        try (ElasticsearchConnection connection = new ElasticsearchConnection(config);
                ElasticsearchSinkMetrics metrics = new ElasticsearchSinkMetrics(null);
                ElasticsearchChangeSink sink = new ElasticsearchChangeSink(connection, config,
                        (record, reason) -> deadLetters.add(reason), metrics)) {
            sink.put(records);
            assertThat(sink.preCommit(EsHarness.offsetsAfter(records))).isEqualTo(EsHarness.offsetsAfter(records));
            assertThat(deadLetters).isEmpty();
            String alias = config.aliasFor(new TableId("public", "items"));
            connection.client().indices().refresh(r -> r.index(alias));
            return connection.client().count(c -> c.index(alias)).count();
        }
    }

    /**
     * Puts the records (in requests of 50) and commits as a task does, then puts them again: returns the pause that
     * stopped the sink, having checked that nothing was acknowledged nor dead-lettered meanwhile; null if none.
     */
    private static TargetUnavailableException pausedWriting(Map<String, String> props, List<SinkRecord> records)
            throws Exception {
        Map<String, String> small = new HashMap<>(props);
        small.put(ElasticsearchSinkConfig.BATCH_MAX_ACTIONS, "50");
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(small);
        List<Throwable> deadLetters = new ArrayList<>();
        try (ElasticsearchConnection connection = new ElasticsearchConnection(config);
                ElasticsearchSinkMetrics metrics = new ElasticsearchSinkMetrics(null);
                ElasticsearchChangeSink sink = new ElasticsearchChangeSink(connection, config,
                        (record, reason) -> deadLetters.add(reason), metrics)) {
            try {
                sink.put(records);
                assertThat(sink.preCommit(EsHarness.offsetsAfter(records))).isEmpty();
                sink.put(records);
                return null;
            } catch (TargetUnavailableException e) {
                return e;
            } finally {
                assertThat(deadLetters).isEmpty();
            }
        }
    }

    private static Map<String, String> errors(ElasticsearchSinkConnector connector, Map<String, String> config) {
        Map<String, String> errors = new HashMap<>();
        for (ConfigValue value : connector.validate(config).configValues()) {
            if (!value.errorMessages().isEmpty()) {
                errors.put(value.name(), String.join("; ", value.errorMessages()));
            }
        }
        return errors;
    }
}
