package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The statements of a rebuild's swap in each state a stop can leave it in. The tables are a map kept by the
 * statements themselves (RENAME, CREATE, DROP); the statements run on the real 18.16 cluster in TableRebuildIT.
 */
class TableSwapTest {

    private static final Pattern SYSTEM_TABLES = Pattern.compile("SELECT (name|engine_full) FROM system.tables "
            + "WHERE database = 'db' AND name = '([^']+)'.*");
    private static final Pattern RENAME = Pattern.compile("`db`\\.`([^`]+)` TO `db`\\.`([^`]+)`");
    private static final Pattern CREATE = Pattern.compile("CREATE TABLE IF NOT EXISTS `db`\\.`([^`]+)` AS .* ENGINE = (.*)");
    private static final Pattern DROP = Pattern.compile("DROP TABLE IF EXISTS `db`\\.`([^`]+)`");

    /** Table name to engine. */
    private final Map<String, String> tables = new HashMap<>();
    private final List<String> statements = new ArrayList<>();

    private TableSwap swap(ClickHouseCluster cluster) {
        return new TableSwap(cluster, "db", table -> "`db`.`" + table + "`", this::run, this::query);
    }

    private void run(String sql) {
        statements.add(sql);
        Matcher create = CREATE.matcher(sql);
        Matcher drop = DROP.matcher(sql);
        if (sql.startsWith("RENAME TABLE ")) {
            Map<String, String> moved = new HashMap<>();
            Matcher rename = RENAME.matcher(sql);
            while (rename.find()) {
                assertThat(tables).as("renamed table %s", rename.group(1)).containsKey(rename.group(1));
                assertThat(tables).as("rename target %s", rename.group(2)).doesNotContainKey(rename.group(2));
                moved.put(rename.group(2), tables.remove(rename.group(1)));
            }
            tables.putAll(moved);
        } else if (create.matches()) {
            tables.putIfAbsent(create.group(1), create.group(2));
        } else if (drop.matches()) {
            tables.remove(drop.group(1));
        } else {
            throw new AssertionError("unexpected statement " + sql);
        }
    }

    private List<String[]> query(String sql) {
        Matcher m = SYSTEM_TABLES.matcher(sql);
        assertThat(m.matches()).as("a query of system.tables: %s", sql).isTrue();
        String engine = tables.get(m.group(2));
        return engine == null ? List.of() : List.<String[]>of(new String[] {m.group(1).equals("name") ? m.group(2)
                : engine});
    }

    private void shardedTablesWithRebuild() {
        tables.put("t_local", "ReplicatedReplacingMergeTree(old)");
        tables.put("t", "Distributed('cdc', 'db', 't_local', cityHash64(id))");
        tables.put("t_rebuild_local", "ReplicatedReplacingMergeTree(new)");
        tables.put("t_rebuild", "Distributed('cdc', 'db', 't_rebuild_local', cityHash64(code))");
    }

    private static ClickHouseCluster sharded() {
        return new ClickHouseCluster("cdc", "/p/{table}", "{replica}", "_local");
    }

    @Test
    void onOneServerTheTwoTablesSwapNamesInOneRename() {
        tables.put("t", "ReplacingMergeTree(old)");
        tables.put("t_rebuild", "ReplacingMergeTree(new)");
        swap(null).swap("t", "t_rebuild", "t_replaced_1");
        assertThat(statements).containsExactly("RENAME TABLE `db`.`t` TO `db`.`t_replaced_1`, `db`.`t_rebuild` TO `db`.`t`");
        assertThat(tables).containsOnly(Map.entry("t", "ReplacingMergeTree(new)"),
                Map.entry("t_replaced_1", "ReplacingMergeTree(old)"));
    }

    @Test
    void onAShardedClusterThePerShardTablesAreRenamedAndTheDistributedTablesMadeAgain() {
        shardedTablesWithRebuild();
        swap(sharded()).swap("t", "t_rebuild", "t_replaced_1");
        assertThat(statements.get(0)).as("the rows first: the Distributed table reads the rebuilt rows at once")
                .isEqualTo("RENAME TABLE `db`.`t_local` TO `db`.`t_replaced_1_local`, `db`.`t_rebuild_local` TO "
                        + "`db`.`t_local`");
        assertThat(tables).containsOnly(
                Map.entry("t_local", "ReplicatedReplacingMergeTree(new)"),
                Map.entry("t", "Distributed('cdc', 'db', 't_local', cityHash64(code))"),
                Map.entry("t_replaced_1_local", "ReplicatedReplacingMergeTree(old)"),
                Map.entry("t_replaced_1", "Distributed('cdc', 'db', 't_replaced_1_local')"));
        assertThat(swap(sharded()).interrupted("t_rebuild")).isFalse();
    }

    @Test
    void aStopAfterThePerShardRenameIsSeenAndFinished() {
        shardedTablesWithRebuild();
        run("RENAME TABLE `db`.`t_local` TO `db`.`t_replaced_1_local`, `db`.`t_rebuild_local` TO `db`.`t_local`");
        TableSwap swap = swap(sharded());
        assertThat(swap.interrupted("t_rebuild")).isTrue();
        statements.clear();
        swap.swap("t", "t_rebuild", "t_replaced_2");
        assertThat(statements).noneMatch(sql -> sql.startsWith("RENAME"));
        assertThat(tables).containsEntry("t", "Distributed('cdc', 'db', 't_local', cityHash64(code))")
                .containsEntry("t_local", "ReplicatedReplacingMergeTree(new)")
                .doesNotContainKeys("t_rebuild", "t_replaced_2", "t_replaced_2_local");
        assertThat(swap.interrupted("t_rebuild")).isFalse();
    }

    @Test
    void aRebuildWhoseDistributedTableReadsAnotherTableIsRefused() {
        shardedTablesWithRebuild();
        tables.put("t_rebuild", "Distributed('cdc', 'db', 'elsewhere', rand())");
        assertThatThrownBy(() -> swap(sharded()).swap("t", "t_rebuild", "t_replaced_1"))
                .hasMessageContaining("does not read 't_rebuild_local'").hasMessageContaining("swap it in by hand");
    }

    @Test
    void dropRemovesTheDistributedAndThePerShardTable() {
        shardedTablesWithRebuild();
        swap(sharded()).drop("t_rebuild");
        assertThat(tables).containsOnlyKeys("t", "t_local");
    }
}
