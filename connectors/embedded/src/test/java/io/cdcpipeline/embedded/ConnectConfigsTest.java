package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectConfigsTest {

    private static final String SOURCE = """
            {"name": "shop-postgres-source", "config": {"connector.class": "io.debezium.connector.postgresql.PostgresConnector",
             "database.hostname": "${env:PGHOST}", "database.dbname": "shop", "topic.prefix": "shop",
             "signal.data.collection": "public.debezium_signal"}}""";
    private static final String SINK = """
            {"name": "shop-clickhouse-sink", "config": {"connector.class": "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector",
             "topics.regex": "shop\\\\.public\\\\..*", "clickhouse.url": "${env:CH}"}}""";

    @Test
    void theSourceAndEachSinkBecomeAPipelineWithReferencesResolved(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("postgres-source.json"), SOURCE);
        Files.writeString(dir.resolve("clickhouse-sink.json"), SINK);
        Files.writeString(dir.resolve("README.txt"), "not a connector");
        PipelineFile file = ConnectConfigs.load(dir, Map.of("PGHOST", "db.internal", "CH", "http://ch:8123"));
        assertThat(file.source()).containsEntry("database.hostname", "db.internal")
                .containsEntry("signal.data.collection", "public.debezium_signal");
        assertThat(file.sinks()).containsOnlyKeys("shop-clickhouse-sink");
        assertThat(file.sinks().get("shop-clickhouse-sink")).containsEntry("clickhouse.url", "http://ch:8123");
    }

    @Test
    void aFolderWithoutOneSourceOrWithoutSinksIsRefusedByName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("clickhouse-sink.json"), SINK);
        assertThatThrownBy(() -> ConnectConfigs.load(dir, Map.of("CH", "x"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs exactly one Debezium Postgres source connector file, found none");
        Files.delete(dir.resolve("clickhouse-sink.json"));
        Files.writeString(dir.resolve("postgres-source.json"), SOURCE);
        assertThatThrownBy(() -> ConnectConfigs.load(dir, Map.of("PGHOST", "x")))
                .hasMessageContaining("holds no ClickHouse or Elasticsearch sink connector file");
    }
}
