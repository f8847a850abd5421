package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.sink.clickhouse.types.SqlText;
import io.cdcpipeline.testkit.ChdbEngine;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The cluster statements of the modern dialect, proven on the real 26.x engine of chdb as far as one process without
 * ZooKeeper can: the sink writes a table with a history and a schema change in cluster mode; every statement it
 * sends is parsed by the modern engine ({@code formatQuery}) exactly as sent, then run in its one-server form (no
 * {@code ON CLUSTER}, the engine not replicated) so the sink goes on and its rows can be checked. Replication itself
 * is tested on the 18.16 cluster (ClusterWritesIT, the embedded ClickHouseClusterIT).
 */
@RealStack
class ClusterStatementsModernIT {

    private static final Pattern ON_CLUSTER = Pattern.compile(" ON CLUSTER `cdc`");
    private static final Pattern REPLICATED = Pattern.compile(
            "ReplicatedReplacingMergeTree\\('(?:[^'\\\\]|\\\\.)*', '(?:[^'\\\\]|\\\\.)*'(?:, )?");

    @Test
    void everyStatementOfAClusterSinkParsesOnTheModernEngine(StackEndpoints stack, PostgresTestDatabase pg)
            throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL, balance numeric(10,2))");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.accounts"), Map.of())) {
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO accounts VALUES (1, 'ada', 10), (2, 'bob', 5)");
                st.execute("UPDATE accounts SET balance = 11 WHERE id = 1");
                st.execute("ALTER TABLE accounts ADD COLUMN note text");
                st.execute("UPDATE accounts SET note = 'vip' WHERE id = 2");
                st.execute("DELETE FROM accounts WHERE id = 1");
            }
            records = stream.take(6, Duration.ofSeconds(90)); // 2 inserts, 2 updates, the delete, its tombstone
        }
        try (SinkHarness modern = SinkHarness.modern()) {
            Map<String, String> props = new HashMap<>();
            props.put(ClickHouseSinkConfig.DATABASE, modern.database);
            props.put(ClickHouseSinkConfig.CLUSTER, "cdc");
            props.put(ClickHouseSinkConfig.HISTORY_TABLES, "public\\.accounts");
            ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
            List<String> sent = new ArrayList<>();
            ClickHouseConnection parsing = new ParsedThenRunLocally(modern.connection, ChdbEngine.shared(), sent::add);
            List<SinkRecord> deadLetters = new ArrayList<>();
            ClickHouseChangeSink sink = new ClickHouseChangeSink(new ClusterConnection(parsing,
                    ClickHouseCluster.of(config)), config, (record, reason) -> deadLetters.add(record),
                    new ClickHouseSinkMetrics(null));
            sink.put(records);
            SinkRecord last = records.get(records.size() - 1);
            Map<TopicPartition, OffsetAndMetadata> all = Map.of(new TopicPartition(last.topic(), last.kafkaPartition()),
                    new OffsetAndMetadata(last.kafkaOffset() + 1));
            assertThat(sink.preCommit(all)).isEqualTo(all);
            assertThat(deadLetters).isEmpty();

            List<String> ddl = sent.stream().filter(s -> !s.startsWith("INSERT") && !s.startsWith("SELECT")).toList();
            assertThat(ddl).as("DDL the sink sent").isNotEmpty()
                    .allMatch(s -> ON_CLUSTER.matcher(s).find(), "runs ON CLUSTER `cdc`");
            String db = modern.database;
            assertThat(ddl).anyMatch(s -> s.startsWith("CREATE TABLE IF NOT EXISTS `" + db + "`.`accounts` ON CLUSTER")
                    && s.contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" + db
                    + "/accounts', '{replica}', _cdc_version, _cdc_deleted)"));
            assertThat(ddl).anyMatch(s -> s.startsWith("CREATE TABLE IF NOT EXISTS `" + db + "`.`accounts_history` ON CLUSTER")
                    && s.contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/" + db
                    + "/accounts_history', '{replica}')"));
            assertThat(ddl).anyMatch(s -> s.startsWith("CREATE MATERIALIZED VIEW IF NOT EXISTS `" + db
                    + "`.`accounts_history_mv` ON CLUSTER"));
            assertThat(ddl).anyMatch(s -> s.startsWith("CREATE OR REPLACE VIEW `" + db + "`.`accounts_as_of` ON CLUSTER"));
            assertThat(ddl).anyMatch(s -> s.startsWith("ALTER TABLE `" + db + "`.`accounts` ON CLUSTER `cdc` ADD COLUMN `note`"));
            assertThat(ddl).anyMatch(s -> s.startsWith("ALTER TABLE `" + db + "`.`accounts_history` ON CLUSTER `cdc` ADD COLUMN `note`"));
            assertThat(ddl).as("the source columns recorded (modern servers comment replicated columns)")
                    .anyMatch(s -> s.contains("ON CLUSTER `cdc` COMMENT COLUMN _cdc_version"));

            assertThat(modern.rows("SELECT id, owner, toString(balance), ifNull(note, '-') FROM "
                    + modern.table("accounts_current") + " ORDER BY id")).hasSize(1)
                    .first().satisfies(row -> assertThat(row).containsExactly("2", "bob", "5", "vip"));
            assertThat(modern.scalar("SELECT count() FROM " + modern.table("accounts_history"))).isEqualTo("5");
        }
    }

    /**
     * The statements of the sharded set-up (clickhouse.cluster.distributed) as the sink makes them, parsed by the
     * modern engine: the Distributed table in front of the per-shard table, and the Distributed table made again
     * after a schema change. chdb has no cluster to run them on; they run on the 18.16 cluster in ClusterWritesIT.
     */
    @Test
    void theShardedStatementsParseOnTheModernEngine() {
        ClickHouseCluster sharded = new ClickHouseCluster("cdc", "/clickhouse/tables/{shard}/{database}/{table}",
                "{replica}", "_local");
        ChdbEngine chdb = ChdbEngine.shared();
        for (String statement : List.of(
                "CREATE TABLE IF NOT EXISTS `db`.`orders_local` (`id` Int64, _cdc_version UInt64, _cdc_deleted UInt8) "
                        + "ENGINE = " + sharded.replicated("ReplacingMergeTree(_cdc_version, _cdc_deleted)", "db",
                        "orders_local", false) + " ORDER BY (`id`)",
                "CREATE TABLE IF NOT EXISTS `db`.`orders` AS `db`.`orders_local` ENGINE = "
                        + sharded.distributedEngine("db", "orders_local", List.of("id")),
                "ALTER TABLE `db`.`orders_local` ADD COLUMN `note` Nullable(String) AFTER `id`",
                "DROP TABLE IF EXISTS `db`.`orders`",
                "CREATE MATERIALIZED VIEW IF NOT EXISTS `db`.`orders_history_mv` TO `db`.`orders_history_local` AS "
                        + "SELECT * FROM `db`.`orders_local`",
                // a rebuild's swap: the per-shard tables renamed, the old rows read through a Distributed table
                "RENAME TABLE `db`.`orders_local` TO `db`.`orders_replaced_20261201000000_local`, "
                        + "`db`.`orders_rebuild_local` TO `db`.`orders_local`",
                "CREATE TABLE IF NOT EXISTS `db`.`orders_replaced_20261201000000` AS "
                        + "`db`.`orders_replaced_20261201000000_local` ENGINE = "
                        + sharded.distributedReadEngine("db", "orders_replaced_20261201000000_local"))) {
            String onCluster = sharded.onCluster(statement);
            assertThat(onCluster).contains(" ON CLUSTER `cdc`");
            assertThat(chdb.query("SELECT formatQuery(" + SqlText.literal(onCluster) + ")", "TabSeparated"))
                    .as("the modern engine's reading of %s", onCluster).contains("ON CLUSTER cdc");
        }
    }

    /** Has the modern engine parse each statement as sent, then runs its one-server form. */
    private record ParsedThenRunLocally(ClickHouseConnection engine, ChdbEngine chdb, Consumer<String> sent)
            implements ClickHouseConnection {

        @Override
        public String version() {
            return engine.version();
        }

        @Override
        public void execute(String sql) {
            sent.accept(sql);
            chdb.query("SELECT formatQuery(" + SqlText.literal(sql) + ")", "TabSeparated");
            engine.execute(REPLICATED.matcher(ON_CLUSTER.matcher(sql).replaceAll("")).replaceAll("ReplacingMergeTree("));
        }

        @Override
        public void execute(String sql, Map<String, String> settings) {
            engine.execute(sql, settings);
        }

        @Override
        public void insertRowBinary(String table, List<String> columns, byte[] rows) {
            engine.insertRowBinary(table, columns, rows);
        }

        @Override
        public byte[] query(String sql) {
            return engine.query(sql);
        }

        @Override
        public void close() {
        }
    }
}
