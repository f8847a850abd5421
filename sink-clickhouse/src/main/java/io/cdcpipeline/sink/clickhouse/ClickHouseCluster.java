package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What writing to a ClickHouse cluster ({@code clickhouse.cluster}) changes in the sink's statements: every DDL
 * statement runs {@code ON CLUSTER}, so each replica gets the same tables, views and columns (a replica that is down
 * runs the queued statement when it is back); tables are {@code Replicated*MergeTree}, each with its own ZooKeeper
 * path, so replicas hold the same rows and an insert retried after a lost answer is deduplicated by the replicated
 * engine. Data statements (inserts, selects) are left as they are: they go to the one replica the sink is connected
 * to, and replication carries the rows to the others.
 */
final class ClickHouseCluster {

    /** A name as {@link SqlText#identifier} writes it, or a bare word. */
    private static final String NAME = "(?:`(?:[^`\\\\]|\\\\.)*`|\\w+)";
    private static final Pattern OBJECT_DDL = Pattern.compile("^(\\s*(?:CREATE\\s+(?:OR\\s+REPLACE\\s+)?"
            + "(?:MATERIALIZED\\s+)?(?:TABLE|VIEW|DATABASE)(?:\\s+IF\\s+NOT\\s+EXISTS)?"
            + "|DROP\\s+(?:TABLE|VIEW|DATABASE)(?:\\s+IF\\s+EXISTS)?|ALTER\\s+TABLE|OPTIMIZE\\s+TABLE"
            + "|TRUNCATE\\s+TABLE(?:\\s+IF\\s+EXISTS)?)\\s+" + NAME + "(?:\\." + NAME + ")?)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern RENAME = Pattern.compile("^\\s*RENAME\\s+TABLE\\s", Pattern.CASE_INSENSITIVE);
    private static final Pattern DATA = Pattern.compile("^\\s*(?:INSERT|SELECT|WITH)\\s", Pattern.CASE_INSENSITIVE);
    private static final Pattern REPLACING = Pattern.compile("^ReplacingMergeTree(?:\\((.*)\\))?$");

    private final String name;
    private final String zooKeeperPath;
    private final String replicaName;
    /** The suffix of each table's per-shard table, or null when tables are not Distributed (one shard). */
    private final String localSuffix;

    ClickHouseCluster(String name, String zooKeeperPath, String replicaName, String localSuffix) {
        this.name = name;
        this.zooKeeperPath = zooKeeperPath;
        this.replicaName = replicaName;
        this.localSuffix = localSuffix;
    }

    /** The cluster of a config, or null when the sink writes to one server. */
    static ClickHouseCluster of(ClickHouseSinkConfig config) {
        return config.cluster().isEmpty() ? null : new ClickHouseCluster(config.cluster(),
                config.clusterZooKeeperPath(), config.clusterReplicaName(),
                config.clusterDistributed() ? config.clusterLocalSuffix() : null);
    }

    String name() {
        return name;
    }

    /** Whether each table is a Distributed table in front of per-shard tables ({@code clickhouse.cluster.distributed}). */
    boolean distributed() {
        return localSuffix != null;
    }

    /** The per-shard table behind the table the sink writes and reads: itself on one shard. */
    String localOf(String table) {
        return localSuffix == null ? table : table + localSuffix;
    }

    /**
     * The engine of a Distributed table over the cluster in front of {@code localTable}, each row on the shard a hash
     * of {@code shardingColumns} picks: every version of a key lands on one shard, where they replace each other.
     */
    String distributedEngine(String database, String localTable, List<String> shardingColumns) {
        StringJoiner key = new StringJoiner(", ", "cityHash64(", ")");
        shardingColumns.forEach(column -> key.add(SqlText.identifier(column)));
        String reading = distributedReadEngine(database, localTable);
        return reading.substring(0, reading.length() - 1) + ", " + key + ")";
    }

    /**
     * The engine of a Distributed table that only reads {@code localTable} on every shard, without a sharding key:
     * for rows kept after a rebuild, which nothing writes to again (an insert through it is refused).
     */
    String distributedReadEngine(String database, String localTable) {
        return "Distributed(" + SqlText.literal(name) + ", " + SqlText.literal(database) + ", "
                + SqlText.literal(localTable) + ")";
    }

    /**
     * The statement as the cluster runs it: DDL gets {@code ON CLUSTER} after the name of its object (at the end of
     * a {@code RENAME}), data statements are returned as they are. Any other statement is refused, so a new kind of
     * DDL cannot silently reach one replica only.
     */
    String onCluster(String sql) {
        if (DATA.matcher(sql).find()) {
            return sql;
        }
        String clause = " ON CLUSTER " + SqlText.identifier(name);
        if (RENAME.matcher(sql).find()) {
            return sql.stripTrailing() + clause;
        }
        Matcher ddl = OBJECT_DDL.matcher(sql);
        if (!ddl.find()) {
            throw new IllegalArgumentException("no rule puts ON CLUSTER into this statement: " + sql);
        }
        return ddl.group(1) + clause + sql.substring(ddl.end(1));
    }

    /**
     * The replicated form of a table engine the sink chose ({@code ReplacingMergeTree(_cdc_version)} becomes
     * {@code ReplicatedReplacingMergeTree('<path>', '<replica>', _cdc_version)}). {@code {database}} and
     * {@code {table}} in the path are filled in here, 18.16 knowing neither; {@code {shard}}, {@code {replica}} and
     * other macros are left to each server. A table made for a rebuild is renamed later, and its name made again
     * by the next rebuild: its path gets the moment it was made, so no two tables ever share one.
     */
    String replicated(String engine, String database, String table, boolean renamedLater) {
        Matcher replacing = REPLACING.matcher(engine.trim());
        if (!replacing.matches()) {
            throw new IllegalArgumentException("no replicated form of the engine " + engine + " is known");
        }
        String pathTable = renamedLater ? table + "_" + System.currentTimeMillis() : table;
        String path = zooKeeperPath.replace("{database}", database).replace("{table}", pathTable);
        String arguments = SqlText.literal(path) + ", " + SqlText.literal(replicaName);
        String own = replacing.group(1);
        return "ReplicatedReplacingMergeTree(" + arguments + (own == null || own.isBlank() ? "" : ", " + own) + ")";
    }
}
