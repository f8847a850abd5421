package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.ProjectRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline files are checked before anything connects, and every error names the key at fault. */
class PipelineFileTest {

    private static final Path CONFIGS = ProjectRoot.path().resolve("connect-configs/embedded");

    private static final Map<String, String> STACK_ENV = Map.of("CDC_WORK_DIR", "/tmp/cdc-work", "CDC_PG_HOST", "127.0.0.1",
            "CDC_PG_PORT", "25432", "CDC_PG_USER", "postgres", "CDC_CH_URL", "http://127.0.0.1:28123",
            "CDC_ES_URL", "http://127.0.0.1:29200");

    @Test
    void demoConfigIsValidAndSplitsIntoConnectorConfigs() {
        PipelineFile file = PipelineFile.load(CONFIGS.resolve("demo.properties"), STACK_ENV);
        EmbeddedPipeline.validate(file);

        assertThat(file.runner().name()).isEqualTo("demo");
        assertThat(file.runner().offsetFile()).isEqualTo(Path.of("/tmp/cdc-work/demo/offsets.dat"));
        assertThat(file.source()).containsEntry("connector.class", "io.debezium.connector.postgresql.PostgresConnector")
                .containsEntry("database.port", "25432").containsEntry("plugin.name", "pgoutput");
        assertThat(file.sinkNames()).containsExactly("clickhouse", "elasticsearch");
        assertThat(file.sinks().get("clickhouse")).containsEntry("clickhouse.url", "http://127.0.0.1:28123")
                .containsEntry("table.name.format", "${table}");
        assertThat(file.sinks().get("elasticsearch")).containsEntry("index.name.format", "demo_${table}");
    }

    @Test
    void templateIsValidOnceItsSecretsFileExists(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=s3cret\nclickhouse.password=ch-s3cret\nelasticsearch.password=es-s3cret\n");
        Path template = dir.resolve("template.properties");
        Files.writeString(template, Files.readString(CONFIGS.resolve("template.properties"))
                .replace("/etc/cdc/secrets.properties", secrets.toString()));

        PipelineFile file = PipelineFile.load(template, Map.of("PGHOST", "db.internal"));
        EmbeddedPipeline.validate(file);

        assertThat(file.source()).containsEntry("database.password", "s3cret").containsEntry("database.hostname", "db.internal");
        assertThat(file.sinks().get("clickhouse")).containsEntry("clickhouse.password", "ch-s3cret");
    }

    @Test
    void outboxFileIsValidWithItsTransformOnBothSinks(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=s3cret\nclickhouse.password=ch-s3cret\nelasticsearch.password=es-s3cret\n");
        Path outbox = dir.resolve("outbox.properties");
        Files.writeString(outbox, Files.readString(CONFIGS.resolveSibling("outbox/outbox.properties"))
                .replace("/etc/cdc/secrets.properties", secrets.toString()));

        PipelineFile file = PipelineFile.load(outbox, Map.of("PGHOST", "db.internal"));
        EmbeddedPipeline.validate(file);

        assertThat(file.source()).containsEntry("table.include.list", "public.orders,public.outbox_events");
        for (String sink : file.sinkNames()) {
            assertThat(file.sinks().get(sink)).as(sink).containsEntry("transforms", "outbox")
                    .containsEntry("transforms.outbox.type", "io.cdcpipeline.transforms.OutboxEvents")
                    .containsEntry("transforms.outbox.table.regex", ".*\\.outbox_events");
        }
    }

    @Test
    void unknownTopLevelKeyIsNamed() {
        Map<String, String> config = minimal();
        config.put("offset.storage.fil", "x");
        assertThatThrownBy(() -> PipelineFile.parse(config, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("offset.storage.fil");
    }

    @Test
    void sinkKeyOfAnUnlistedSinkIsNamed() {
        Map<String, String> config = minimal();
        config.put("sink.kafka.connector.class", "x");
        assertThatThrownBy(() -> PipelineFile.parse(config, Map.of())).hasMessageContaining("sink.kafka.connector.class");
    }

    @Test
    void badSinkSettingIsNamedWithItsPrefix() {
        Map<String, String> config = minimal();
        config.put("sink.clickhouse.clickhouse.url", "ftp://clickhouse");
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(config, Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sink.clickhouse.clickhouse.url")
                .hasMessageContaining("http");
    }

    @Test
    void badNameTemplateIsNamed() {
        Map<String, String> config = minimal();
        config.put("sink.clickhouse.table.name.format", "${tabel}");
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(config, Map.of())))
                .hasMessageContaining("sink.clickhouse.table.name.format").hasMessageContaining("${tabel}");
    }

    @Test
    void badSourceTransformFailsValidationNotTheEngine() {
        Map<String, String> config = minimal();
        config.put("source.transforms", "pii");
        config.put("source.transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
        config.put("source.transforms.pii.columns", "public.customers.email=hash");
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(config, Map.of())))
                .hasMessageContaining("source.transforms.pii").hasMessageContaining("hash.key");
    }

    @Test
    void missingTransformClassIsNamed() {
        Map<String, String> config = minimal();
        config.put("sink.clickhouse.transforms", "route");
        config.put("sink.clickhouse.transforms.route.type", "com.example.NoSuchTransform");
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(config, Map.of())))
                .hasMessageContaining("sink.clickhouse.transforms.route.type").hasMessageContaining("not found");
    }

    @Test
    void badSourceSettingIsNamedWithItsPrefix() {
        Map<String, String> config = minimal();
        config.put("source.snapshot.mode", "sometimes");
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(config, Map.of())))
                .hasMessageContaining("source.snapshot.mode");
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        Map<String, String> config = minimal();
        config.put("source.database.password", "${env:PG_PASSWORD}");
        assertThatThrownBy(() -> PipelineFile.parse(config, Map.of())).hasMessageContaining("source.database.password");
    }

    @Test
    void checkingServersNamesAnUnreachableClickHouse() {
        Map<String, String> config = minimal();
        config.put("sink.clickhouse.clickhouse.url", "http://127.0.0.1:1");
        config.put("sink.clickhouse.clickhouse.connect.timeout.ms", "500");
        EmbeddedPipeline pipeline = EmbeddedPipeline.validate(PipelineFile.parse(config, Map.of()));
        assertThatThrownBy(pipeline::checkSinkServers)
                .hasMessageContaining("sink.clickhouse.clickhouse.url").hasMessageContaining("cannot be reached");
    }

    /** The least a pipeline file holds: a source and a ClickHouse sink. */
    static Map<String, String> minimal() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("sinks", "clickhouse");
        c.put("source.connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        c.put("source.database.hostname", "127.0.0.1");
        c.put("source.database.user", "postgres");
        c.put("source.database.dbname", "shop");
        c.put("source.topic.prefix", "shop");
        c.put("sink.clickhouse.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
        return c;
    }
}
