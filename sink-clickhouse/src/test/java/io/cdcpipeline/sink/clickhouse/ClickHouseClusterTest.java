package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ClickHouseClusterTest {

    private final ClickHouseCluster cluster = new ClickHouseCluster("cdc", "/clickhouse/tables/{shard}/{database}/{table}",
            "{replica}", null);

    @Test
    void everyStatementTheSinkIssuesRunsOnTheCluster() {
        assertThat(cluster.onCluster("CREATE TABLE IF NOT EXISTS `db`.`orders` (\n  `id` Int32\n)\nENGINE = X"))
                .isEqualTo("CREATE TABLE IF NOT EXISTS `db`.`orders` ON CLUSTER `cdc` (\n  `id` Int32\n)\nENGINE = X");
        assertThat(cluster.onCluster("CREATE DATABASE IF NOT EXISTS `db`"))
                .isEqualTo("CREATE DATABASE IF NOT EXISTS `db` ON CLUSTER `cdc`");
        assertThat(cluster.onCluster("CREATE VIEW IF NOT EXISTS `db`.`o_current` AS SELECT * FROM `db`.`o` FINAL"))
                .isEqualTo("CREATE VIEW IF NOT EXISTS `db`.`o_current` ON CLUSTER `cdc` AS SELECT * FROM `db`.`o` FINAL");
        assertThat(cluster.onCluster("CREATE OR REPLACE VIEW `db`.`v` AS SELECT 1"))
                .isEqualTo("CREATE OR REPLACE VIEW `db`.`v` ON CLUSTER `cdc` AS SELECT 1");
        assertThat(cluster.onCluster("CREATE MATERIALIZED VIEW IF NOT EXISTS `db`.`h_mv` TO `db`.`h` AS SELECT * FROM `db`.`o`"))
                .isEqualTo("CREATE MATERIALIZED VIEW IF NOT EXISTS `db`.`h_mv` ON CLUSTER `cdc` TO `db`.`h` AS SELECT * "
                        + "FROM `db`.`o`");
        assertThat(cluster.onCluster("DROP TABLE IF EXISTS `db`.`v`")).isEqualTo("DROP TABLE IF EXISTS `db`.`v` ON CLUSTER `cdc`");
        assertThat(cluster.onCluster("ALTER TABLE `db`.`o` ADD COLUMN `n` Int32 AFTER `id`"))
                .isEqualTo("ALTER TABLE `db`.`o` ON CLUSTER `cdc` ADD COLUMN `n` Int32 AFTER `id`");
        assertThat(cluster.onCluster("RENAME TABLE `db`.`a` TO `db`.`b`, `db`.`c` TO `db`.`a`"))
                .isEqualTo("RENAME TABLE `db`.`a` TO `db`.`b`, `db`.`c` TO `db`.`a` ON CLUSTER `cdc`");
        assertThat(cluster.onCluster("OPTIMIZE TABLE `db`.`o` FINAL")).isEqualTo("OPTIMIZE TABLE `db`.`o` ON CLUSTER `cdc` FINAL");
    }

    @Test
    void namesWithQuotesSpacesAndBackticksAreFoundWhole() {
        assertThat(cluster.onCluster("ALTER TABLE `my db`.`or\\`ders x` COMMENT COLUMN `_cdc_version` 'a b'"))
                .isEqualTo("ALTER TABLE `my db`.`or\\`ders x` ON CLUSTER `cdc` COMMENT COLUMN `_cdc_version` 'a b'");
    }

    @Test
    void dataStatementsGoToOneReplicaAsTheyAre() {
        String insert = "INSERT INTO `db`.`o` (`id`) SELECT `id` FROM `db`.`o` FINAL";
        assertThat(cluster.onCluster(insert)).isSameAs(insert);
        assertThat(cluster.onCluster("SELECT 1")).isEqualTo("SELECT 1");
    }

    @Test
    void aStatementNoRuleKnowsIsRefusedRatherThanRunOnOneReplica() {
        assertThatThrownBy(() -> cluster.onCluster("SYSTEM FLUSH LOGS"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SYSTEM FLUSH LOGS");
    }

    @Test
    void replicatedEnginesGetTheirOwnPathAndKeepTheirArguments() {
        assertThat(cluster.replicated("ReplacingMergeTree(_cdc_version)", "db", "orders", false))
                .isEqualTo("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/orders', '{replica}', _cdc_version)");
        assertThat(cluster.replicated("ReplacingMergeTree(_cdc_version, _cdc_deleted)", "db", "orders", false))
                .isEqualTo("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/orders', '{replica}', "
                        + "_cdc_version, _cdc_deleted)");
        assertThat(cluster.replicated("ReplacingMergeTree", "db", "orders_history", false))
                .isEqualTo("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/orders_history', '{replica}')");
        assertThatThrownBy(() -> cluster.replicated("MergeTree()", "db", "t", false))
                .hasMessageContaining("MergeTree()");
    }

    @Test
    void aTableThatIsRenamedLaterNeverSharesThePathOfTheNextOneOfItsName() throws InterruptedException {
        String first = cluster.replicated("ReplacingMergeTree(v)", "db", "orders_rebuild", true);
        Thread.sleep(2);
        String second = cluster.replicated("ReplacingMergeTree(v)", "db", "orders_rebuild", true);
        assertThat(first).startsWith("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/orders_rebuild_")
                .isNotEqualTo(second);
    }

    @Test
    void distributedTablesShardByTheKeyInFrontOfTheirPerShardTable() {
        ClickHouseCluster sharded = new ClickHouseCluster("cdc", "/p/{table}", "{replica}", "_local");
        assertThat(sharded.distributed()).isTrue();
        assertThat(sharded.localOf("orders")).isEqualTo("orders_local");
        assertThat(cluster.localOf("orders")).isEqualTo("orders");
        assertThat(sharded.distributedEngine("db", "order_items_local", java.util.List.of("order_id", "line")))
                .isEqualTo("Distributed('cdc', 'db', 'order_items_local', cityHash64(`order_id`, `line`))");
    }

    @Test
    void clusterSettingsAreCheckedWhenTheConfigIsRead() {
        assertThat(ClickHouseCluster.of(new ClickHouseSinkConfig(Map.of()))).isNull();
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.CLUSTER, "cdc",
                ClickHouseSinkConfig.URL, "http://r1:8123, http://r2:8123"));
        assertThat(config.urls()).containsExactly("http://r1:8123", "http://r2:8123");
        assertThat(ClickHouseCluster.of(config).name()).isEqualTo("cdc");
        assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.CLUSTER_ZOOKEEPER_PATH,
                "/clickhouse/tables/{shard}/same"))).isInstanceOf(ConfigException.class).hasMessageContaining("{table}");
        assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.URL, "http://r1:8123,r2:8123")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'r2:8123'");
        assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.CLUSTER_DISTRIBUTED, "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ClickHouseSinkConfig.CLUSTER);

    }
}
