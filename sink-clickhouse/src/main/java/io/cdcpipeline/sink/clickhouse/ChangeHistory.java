package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change history of a table (setting {@code history.tables}): an append-only {@code <table>_history} with every
 * row the sink ever inserted into the table, filled by a materialized view on the table. The sink's one insert into
 * the current-state table thus writes the history too, so the two never disagree; the history is ordered by the key
 * and the version, so a replayed change (same key, same version) replaces its earlier copy instead of adding one.
 *
 * <p>Names follow the table the rows are inserted into: {@code T} has {@code T_history} and the view
 * {@code T_history_mv}, also for a rebuild's table, whose history is swapped in with it.
 */
final class ChangeHistory {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeHistory.class);

    private final ClickHouseSinkConfig config;
    private final ClickHouseDialect dialect;
    private final Function<String, String> qualified;
    private final Consumer<String> execute;

    private final ClickHouseCluster cluster;

    /** @param cluster the cluster tables are replicated on, or null */
    ChangeHistory(ClickHouseSinkConfig config, ClickHouseDialect dialect, ClickHouseCluster cluster,
            Function<String, String> qualified, Consumer<String> execute) {
        this.config = config;
        this.cluster = cluster;
        this.dialect = dialect;
        this.qualified = qualified;
        this.execute = execute;
    }

    String tableOf(String table) {
        return table + config.historySuffix();
    }

    String viewOf(String table) {
        return tableOf(table) + "_mv";
    }

    /**
     * Makes the history table (with the table's columns at this moment) and the view that fills it, where missing:
     * after the table was created, at each start (a stop between the statements heals), and when a table gets a
     * history later. {@code asOf}: whether to make the "as of" view too (the table BI reads, not a rebuild).
     */
    void ensure(TableId source, String table, String orderBy, List<String> keyColumns, boolean asOf) {
        String history = tableOf(table);
        // On a sharded cluster each shard keeps the history of its own rows, behind a Distributed table.
        String localHistory = localOf(history);
        List<String> order = new ArrayList<>(SortingKey.parse(orderBy).elements());
        order.add(CdcColumns.VERSION);
        // A rebuild's history is renamed with it (asOf false): its replicated path must stay unique.
        String engine = cluster == null ? "ReplacingMergeTree"
                : cluster.replicated("ReplacingMergeTree", config.database(), localHistory, !asOf);
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS " + qualified.apply(localHistory) + " AS "
                + qualified.apply(localOf(table)) + "\nENGINE = " + engine + "\nPARTITION BY toYYYYMM(" + CdcColumns.SOURCE_TS
                + ")\nORDER BY (" + String.join(", ", order) + ")");
        String ttl = config.historyTtl(source);
        if (!ttl.isEmpty()) {
            if (dialect.supportsTtl()) {
                sql.append("\n").append(Retention.ttlClause(ttl));
            } else {
                LOG.warn("{} of {} is not applied to {}: this ClickHouse server has no TTL (19.6 and later do). Its "
                        + "rows are partitioned by month of their commit time; drop old months with ALTER TABLE {} DROP "
                        + "PARTITION 'YYYYMM'", ClickHouseSinkConfig.HISTORY_TTL, source, qualified.apply(history),
                        qualified.apply(history));
            }
        }
        if (!dialect.nullableKeySetting().isEmpty()) { // the table's key columns may be Nullable
            sql.append("\nSETTINGS ").append(dialect.nullableKeySetting());
        }
        execute.accept(sql.toString());
        if (!localHistory.equals(history)) {
            execute.accept("CREATE TABLE IF NOT EXISTS " + qualified.apply(history) + " AS "
                    + qualified.apply(localHistory) + " ENGINE = " + cluster.distributedEngine(config.database(),
                    localHistory, keyColumns.isEmpty() ? List.of(CdcColumns.ROW_KEY) : keyColumns));
        }
        fill(table);
        if (asOf && dialect.hasParameterizedViews()) {
            execute.accept("CREATE OR REPLACE VIEW " + qualified.apply(table + "_as_of") + " AS " + asOfSelect(history,
                    keyColumns));
        }
    }

    /** Makes the view that copies each row inserted into {@code table} into its history, where missing. */
    void fill(String table) {
        // On a sharded cluster the rows reach each shard's own table, where the view copies them.
        execute.accept("CREATE MATERIALIZED VIEW IF NOT EXISTS " + qualified.apply(viewOf(table)) + " TO "
                + qualified.apply(localOf(tableOf(table))) + " AS SELECT * FROM " + qualified.apply(localOf(table)));
    }

    private String localOf(String table) {
        return cluster == null ? table : cluster.localOf(table);
    }

    /**
     * The table as it was at a time: per key the newest history row committed by then, unless that is a delete. A
     * parameterised view on modern servers, whose parameter {@code as_of} is the time; the query of docs/events.md
     * on older ones.
     */
    private String asOfSelect(String history, List<String> keyColumns) {
        StringJoiner key = new StringJoiner(", ");
        (keyColumns.isEmpty() ? List.of(CdcColumns.ROW_KEY) : keyColumns).forEach(k -> key.add(SqlText.identifier(k)));
        return "SELECT * FROM (SELECT * FROM " + qualified.apply(history) + " WHERE " + CdcColumns.SOURCE_TS
                + " <= {as_of:" + dialect.dateTime(6).sql() + "} ORDER BY " + CdcColumns.VERSION + " DESC LIMIT 1 BY "
                + key + ") WHERE " + CdcColumns.DELETED + " = 0";
    }

    /**
     * Before a rebuild replaces {@code name} (its old rows going to {@code replaced}): the rebuild's history becomes
     * the table's, the old history is kept beside the old rows; the views that filled them are dropped, and once the
     * tables are swapped too {@link #fill} makes the one view again. Called with nothing of the table buffered: no
     * insert runs between the statements.
     */
    void swapIn(String name, String rebuild, String replaced, TableSwap swap) {
        execute.accept("DROP TABLE IF EXISTS " + qualified.apply(viewOf(name)));
        execute.accept("DROP TABLE IF EXISTS " + qualified.apply(viewOf(rebuild)));
        swap.swap(tableOf(name), tableOf(rebuild), tableOf(replaced));
    }

    /** Drops a rebuild's history and the view that fills it (the rebuild starts over). */
    void drop(String rebuild, TableSwap swap) {
        execute.accept("DROP TABLE IF EXISTS " + qualified.apply(viewOf(rebuild)));
        swap.drop(tableOf(rebuild));
    }
}
