package io.cdcpipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.ProjectRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Kafka Connect configs (connect-configs/connect/*.json, connect-configs/outbox/*.json) and the embedded runner's
 * files beside them (template.properties, outbox.properties) describe the same connectors: same Debezium source
 * settings, same sink settings. Only what one mode has and the other has not may differ (Connect: tasks, topics,
 * converters, Kafka dead-letter topics, the source's CaptureNewTables, which the runner does by itself; hosts, which
 * both take from a config provider but from each deployment's own environment). Secrets are read from the same file in both modes.
 */
class ConnectConfigsTest {

    private static final Path CONFIGS = ProjectRoot.path().resolve("connect-configs");
    private static final Set<String> CONNECT_ONLY = Set.of("name", "tasks.max", "topics", "topics.regex");
    private static final Predicate<String> CONNECT_ONLY_PREFIX = key -> key.startsWith("key.converter")
            || key.startsWith("value.converter") || key.startsWith("errors.") || key.startsWith("consumer.override.")
            || key.startsWith("consistency.");

    /**
     * Each Connect deployment we ship and the runner file that describes the same pipeline. The cluster variant
     * (connect-configs/cluster, deployed with the source of connect-configs/connect) is the template's pipeline with
     * the cluster settings added: those, and only those, may be in its sinks and not in the template.
     */
    @ParameterizedTest(name = "{1} and {0}")
    @CsvSource({"embedded/template.properties, connect, ''", "outbox/outbox.properties, outbox, ''",
            "embedded/template.properties, connect/postgres-source.json;cluster, "
                    + "clickhouse\\.cluster.*|index\\.settings|wait\\.for\\.active\\.shards"})
    void connectJsonAndEmbeddedFileDescribeTheSameConnectors(String runnerFile, String connectPaths, String addedKeys)
            throws Exception {
        // Raw values, as written: the comparison is about the files, not about resolved secrets.
        Map<String, String> template = rawProperties(CONFIGS.resolve(runnerFile));
        Map<String, String> source = withPrefix(template, "source.");
        List<String> sinkNames = List.of(template.get("sinks").split(","));
        List<ConnectorFile> connect = ConnectorFile.loadAll(Arrays.stream(connectPaths.split(";"))
                .map(CONFIGS::resolve).toList());
        Predicate<String> added = addedKeys.isEmpty() ? key -> false : Pattern.compile(addedKeys).asMatchPredicate();
        assertThat(connect).hasSize(1 + sinkNames.size());
        ConnectorFile sourceFile = connect.stream().filter(f -> f.connectorClass().equals(source.get("connector.class")))
                .findFirst().orElseThrow();
        for (ConnectorFile file : connect) {
            Map<String, String> embedded = source;
            if (file != sourceFile) {
                assertReachesTheSource(file, sourceFile);
                embedded = sinkNames.stream().map(name -> withPrefix(template, "sink." + name + "."))
                        .filter(sink -> file.connectorClass().equals(sink.get("connector.class"))).findFirst()
                        .orElseThrow(() -> new AssertionError(file.file() + ": no sink of the template runs "
                                + file.connectorClass()));
            }
            assertSame(file, embedded, added);
        }
        if (!addedKeys.isEmpty()) {
            assertThat(connect.stream().flatMap(f -> f.config().keySet().stream()).filter(added).toList())
                    .as("the cluster settings in %s", connectPaths).contains("clickhouse.cluster", "index.settings");
        }
    }

    /**
     * On Connect each sink carries the source database and signal table (the runner sets them from its source), for
     * the rebuilds and checks that ask Debezium for a snapshot: the source connector's own values.
     */
    private static void assertReachesTheSource(ConnectorFile sink, ConnectorFile source) {
        Map<String, String> config = sink.config();
        Map<String, String> of = source.config();
        assertThat(config.get("consistency.source.user")).as("%s", sink.file()).isEqualTo(of.get("database.user"));
        assertThat(config.get("consistency.source.password")).as("%s", sink.file())
                .isEqualTo(of.get("database.password"));
        assertThat(config.get("consistency.signal.table")).as("%s", sink.file())
                .isEqualTo(of.get("signal.data.collection"));
        assertThat(config.get("consistency.source.url")).as("%s", sink.file()).isEqualTo("jdbc:postgresql://"
                + of.get("database.hostname") + ":" + of.get("database.port") + "/" + of.get("database.dbname"));
    }

    private static Map<String, String> withPrefix(Map<String, String> properties, String prefix) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                out.put(key.substring(prefix.length()), value);
            }
        });
        return out;
    }

    /**
     * On Connect the source carries {@code CaptureNewTables} (the runner does its work by itself), with the values of
     * the connector's own settings: the same tables, publication, signal table and database.
     */
    private static void assertNewTablesFollowTheSource(ConnectorFile file) {
        Map<String, String> config = file.config();
        if (!"newtables".equals(config.get("transforms"))) {
            return;
        }
        for (String key : List.of("database.hostname", "database.port", "database.user", "database.password",
                "database.dbname", "publication.name", "table.include.list", "signal.data.collection")) {
            assertThat(config.get("transforms.newtables." + key)).as("%s: transforms.newtables.%s", file.file(), key)
                    .isEqualTo(config.get(key));
        }
    }

    private static void assertSame(ConnectorFile file, Map<String, String> embedded, Predicate<String> added) {
        assertNewTablesFollowTheSource(file);
        Map<String, String> json = new TreeMap<>(file.config());
        json.keySet().removeIf(key -> CONNECT_ONLY.contains(key) || CONNECT_ONLY_PREFIX.test(key) || added.test(key)
                || key.startsWith("transforms.newtables.") || key.equals("transforms") && "newtables".equals(json.get(key)));
        Map<String, String> runner = new TreeMap<>(embedded);
        runner.keySet().removeIf(key -> key.startsWith("transforms") && !json.containsKey(key));
        assertThat(json.keySet()).as("settings of %s (%s) against the runner template", file.name(), file.file())
                .containsExactlyInAnyOrderElementsOf(runner.keySet());
        json.forEach((key, value) -> {
            String other = runner.get(key);
            if (key.contains("password")) {
                assertThat(value).as("%s.%s: the same secret, from a config provider, in both modes", file.name(),
                        key).isEqualTo(other).matches(ConnectConfigsTest::isProviderReference);
            } else if (!isProviderReference(value) && !isProviderReference(other)) {
                // A value from a provider on either side says where the servers are, which is each deployment's
                // own (the worker's CDC_* environment, the runner's PGHOST): not compared.
                assertThat(value).as("%s.%s", file.name(), key).isEqualTo(other);
            }
        });
    }

    private static boolean isProviderReference(String value) {
        return value != null && value.matches(".*\\$\\{(env|file):[^}]+}.*");
    }

    private static Map<String, String> rawProperties(Path file) throws Exception {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }

    @Test
    void aMalformedFileIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"name\": \"x\", \"config\": {\"tasks.max\": \"1\"}}");
        assertThatThrownBy(() -> ConnectorFile.loadAll(List.of(dir))).hasMessageContaining("bad.json")
                .hasMessageContaining("connector.class");
        Files.writeString(dir.resolve("bad.json"), "{\"config\": {}}");
        assertThatThrownBy(() -> ConnectorFile.loadAll(List.of(dir))).hasMessageContaining("bad.json")
                .hasMessageContaining("\"name\"");
    }

    @Test
    void theDiffShowsAddedRemovedAndChangedSettingsAndHidesPlainSecrets() {
        List<String> diff = ConfigDiff.between(Map.of("a", "1", "b", "2", "db.password", "hunter2"),
                Map.of("a", "1", "b", "3", "c", "4", "db.password", "${env:PW}"));
        assertThat(diff).containsExactly("~ b: 2 -> 3", "+ c=4", "~ db.password: ******** -> ${env:PW}");
        assertThat(ConfigDiff.between(Map.of("a", "1"), Map.of("a", "1"))).isEmpty();
        assertThat(ConfigDiff.between(null, Map.of("a", "1"))).containsExactly("+ a=1");
    }
}
