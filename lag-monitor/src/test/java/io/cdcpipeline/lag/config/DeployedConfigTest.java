package io.cdcpipeline.lag.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.embedded.PipelineFile;
import io.cdcpipeline.lag.alert.RulesGenerator;
import io.cdcpipeline.testkit.ProjectRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lag monitor's deployable config (connect-configs/lag-monitor/lag.yaml) is valid and agrees with the runner's
 * template it sits beside: same slot, a captured heartbeat table, the JMX port the runner serves and the connector
 * names its sinks' metrics carry. A mismatch there would leave the monitor reading nothing.
 */
class DeployedConfigTest {

    private static final Path CONFIGS = ProjectRoot.path().resolve("connect-configs");
    private static final String SECRETS_FILE = "/etc/cdc/secrets.properties";
    private static final String SECRET_REFERENCE = "${file:" + SECRETS_FILE + ":pg.password}";

    /** A copy of a deployed config reading its secrets from a test file instead of the host's secrets file. */
    private static Path withTestSecrets(String config, Path dir) throws IOException {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=s3cret\nclickhouse.password=ch\nelasticsearch.password=es\n"
                + "monitor.http.password=scrape\n");
        String text = Files.readString(CONFIGS.resolve(config));
        assertThat(text).as("%s reads its secrets from %s", config, SECRETS_FILE).contains(SECRET_REFERENCE);
        Path copy = dir.resolve(CONFIGS.resolve(config).getFileName());
        Files.writeString(copy, text.replace(SECRETS_FILE, secrets.toString()));
        return copy;
    }

    @Test
    void lagConfigMatchesTheRunnerTemplate(@TempDir Path dir) throws Exception {
        MonitorConfig lag = MonitorConfig.load(withTestSecrets("lag-monitor/lag.yaml", dir), Map.of("PGHOST",
                "db.internal", "CDC_ALERT_WEBHOOK", "http://alerts.internal:9099/hook"));
        PipelineFile runner = PipelineFile.load(withTestSecrets("embedded/template.properties", dir),
                Map.of("PGHOST", "db.internal"));

        assertThat(lag.postgres().password()).as("the same secret as the runner's source")
                .isEqualTo(runner.source().get("database.password")).isEqualTo("s3cret");

        assertThat(lag.postgres().slot()).isEqualTo(runner.source().get("slot.name"));
        assertThat(runner.source().get("table.include.list").split(",")).contains(lag.heartbeat().table());
        MonitorConfig.Sink analytics = lag.sinks().get("analytics");
        MonitorConfig.Sink search = lag.sinks().get("search");
        assertThat(analytics.database()).isEqualTo(runner.sinks().get("clickhouse").get("clickhouse.database"));
        assertThat(search.target()).isEqualTo(runner.sinks().get("elasticsearch").get("index.name.format")
                .replace("${table}", lag.heartbeat().name()));
        String jmx = "127.0.0.1:" + runner.runner().jmxPort();
        assertThat(analytics.metrics().jmxUrl()).contains(jmx);
        assertThat(analytics.metrics().connector()).isEqualTo(runner.runner().name() + "-clickhouse");
        assertThat(search.metrics().connector()).isEqualTo(runner.runner().name() + "-elasticsearch");
        assertThat(lag.slos()).anySatisfy(slo -> assertThat(slo.covers("shop_orders")).isTrue());
        assertThat(lag.alerts().webhook().toString()).isEqualTo("http://alerts.internal:9099/hook");
    }

    /**
     * The Connect-mode config of docker-compose.yml names the connectors, slot and heartbeat index that
     * connect-configs/connect deploys, and the Prometheus rules committed beside it are what the generator writes
     * from it now.
     */
    @Test
    void composeLagConfigMatchesTheConnectConfigsAndItsRulesAreCurrent(@TempDir Path dir) throws Exception {
        MonitorConfig lag = MonitorConfig.load(withTestSecrets("lag-monitor/lag-connect.yaml", dir), Map.of(
                "CDC_PG_HOST", "postgres", "CDC_PG_USER", "postgres",
                "CDC_CLICKHOUSE_URL", "http://clickhouse:8123", "CDC_ELASTICSEARCH_URL", "http://elasticsearch:9200"));
        ObjectMapper json = new ObjectMapper();
        var source = json.readTree(CONFIGS.resolve("connect/postgres-source.json").toFile());
        assertThat(source.path("config").path("database.password").asText())
                .as("the monitor and the source connector read one secret").isEqualTo(SECRET_REFERENCE);
        assertThat(lag.postgres().password()).isEqualTo("s3cret");
        var clickhouse = json.readTree(CONFIGS.resolve("connect/clickhouse-sink.json").toFile());
        var elasticsearch = json.readTree(CONFIGS.resolve("connect/elasticsearch-sink.json").toFile());
        assertThat(lag.postgres().slot()).isEqualTo(source.path("config").path("slot.name").asText());
        assertThat(source.path("config").path("table.include.list").asText().split(","))
                .contains(lag.heartbeat().table());
        MonitorConfig.Sink analytics = lag.sinks().get("analytics");
        MonitorConfig.Sink search = lag.sinks().get("search");
        assertThat(analytics.metrics().connector()).isEqualTo(clickhouse.path("name").asText());
        assertThat(analytics.database()).isEqualTo(clickhouse.path("config").path("clickhouse.database").asText());
        assertThat(search.metrics().connector()).isEqualTo(elasticsearch.path("name").asText());
        assertThat(search.target()).isEqualTo(elasticsearch.path("config").path("index.name.format").asText()
                .replace("${table}", lag.heartbeat().name()));
        assertThat(lag.connect().connectors()).containsExactlyInAnyOrder(clickhouse.path("name").asText(),
                elasticsearch.path("name").asText());
        assertThat(Files.readString(CONFIGS.resolve("prometheus/cdc-rules.yml")))
                .as("connect-configs/prometheus/cdc-rules.yml is current: regenerate it with bin/cdc lag rules")
                .isEqualTo(RulesGenerator.generate(lag));
    }
}
