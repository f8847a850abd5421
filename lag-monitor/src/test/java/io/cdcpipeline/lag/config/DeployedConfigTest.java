package io.cdcpipeline.lag.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.embedded.PipelineFile;
import io.cdcpipeline.testkit.ProjectRoot;
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

    @Test
    void lagConfigMatchesTheRunnerTemplate(@TempDir Path dir) throws Exception {
        MonitorConfig lag = MonitorConfig.load(CONFIGS.resolve("lag-monitor/lag.yaml"), Map.of("PGHOST", "db.internal",
                "PGPASSWORD", "s3cret", "CDC_ALERT_WEBHOOK", "http://alerts.internal:9099/hook"));
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=s3cret\nclickhouse.password=ch\nelasticsearch.password=es\n");
        Path template = dir.resolve("template.properties");
        Files.writeString(template, Files.readString(CONFIGS.resolve("embedded/template.properties"))
                .replace("/etc/cdc/secrets.properties", secrets.toString()));
        PipelineFile runner = PipelineFile.load(template, Map.of("PGHOST", "db.internal"));

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
}
