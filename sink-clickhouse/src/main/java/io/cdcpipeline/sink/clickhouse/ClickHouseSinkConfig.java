package io.cdcpipeline.sink.clickhouse;

import static io.cdcpipeline.core.ConfigGroups.group;
import static io.cdcpipeline.core.ConfigGroups.setting;

import io.cdcpipeline.core.ConfigGroups;
import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.NameTemplate;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.SinkOptions;
import io.cdcpipeline.core.sink.TableRefusal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of the ClickHouse sink connector. */
public final class ClickHouseSinkConfig extends AbstractConfig {

    public static final String URL = "clickhouse.url";
    public static final String USER = "clickhouse.user";
    public static final String PASSWORD = "clickhouse.password";
    public static final String DATABASE = "clickhouse.database";
    public static final String AUTO_CREATE_DATABASE = "auto.create.database";
    public static final String CLUSTER = "clickhouse.cluster";
    public static final String CLUSTER_ZOOKEEPER_PATH = "clickhouse.cluster.zookeeper.path";
    public static final String CLUSTER_REPLICA_NAME = "clickhouse.cluster.replica.name";
    public static final String CLUSTER_DDL_TIMEOUT_SECONDS = "clickhouse.cluster.ddl.timeout.seconds";
    public static final String CLUSTER_INSERT_QUORUM = "clickhouse.cluster.insert.quorum";
    public static final String CLUSTER_DISTRIBUTED = "clickhouse.cluster.distributed";
    public static final String CLUSTER_LOCAL_SUFFIX = "clickhouse.cluster.local.suffix";
    public static final String CONNECT_TIMEOUT_MS = "clickhouse.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "clickhouse.request.timeout.ms";
    public static final String TABLE_NAME_FORMAT = "table.name.format";
    public static final String VIEW_SUFFIX = "view.suffix";
    public static final String PARTITION_BY = "partition.by";
    public static final String DROPPED_COLUMN_FILL = "dropped.column.fill";
    public static final String TEMPORAL_OUT_OF_RANGE = "temporal.out.of.range";
    public static final String TOAST_PLACEHOLDER = SinkOptions.TOAST_PLACEHOLDER;
    public static final String BATCH_MAX_ROWS = "batch.max.rows";
    public static final String HISTORY_TABLES = "history.tables";
    public static final String HISTORY_SUFFIX = "history.suffix";
    public static final String HISTORY_TTL = "history.ttl";
    public static final String DELETE_MARKER_CLEANUP = "delete.markers.cleanup";
    public static final String DELETE_MARKER_CLEANUP_AGE = "delete.markers.cleanup.age.seconds";
    public static final String BATCH_MAX_BYTES = SinkOptions.BATCH_MAX_BYTES;
    public static final String BATCH_LINGER_MS = SinkOptions.BATCH_LINGER_MS;
    public static final String RETRY_MAX_ATTEMPTS = SinkOptions.RETRY_MAX_ATTEMPTS;
    public static final String RETRY_BACKOFF_MS = SinkOptions.RETRY_BACKOFF_MS;
    public static final String RETRY_BACKOFF_MAX_MS = SinkOptions.RETRY_BACKOFF_MAX_MS;

    public static final String FILL_DEFAULT = "default";
    public static final String FILL_NULL = "null";

    /** Every setting, before it is placed in its group (CONFIG_DEF). */
    private static final ConfigDef DEFINED = new ConfigDef()
            .define(URL, Type.STRING, "http://127.0.0.1:8123", new HttpUrls(), Importance.HIGH,
                    "HTTP endpoint of the ClickHouse server, e.g. http://clickhouse:8123; for a cluster, several "
                            + "separated by commas (the replicas of a shard): the sink writes to the first that "
                            + "answers and fails over to the next when it does not (connection refused, no answer).")
            .define(USER, Type.STRING, "default", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "ClickHouse user the sink writes as. It needs CREATE TABLE, CREATE VIEW, ALTER, INSERT and SELECT "
                            + "on the database.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                    "Password of that user; use a config provider such as ${env:CLICKHOUSE_PASSWORD} to keep it out of files.")
            .define(DATABASE, Type.STRING, "default", Identifiers.validator(), Importance.HIGH,
                    "Database the tables and views are created in. It must exist; validation checks it.")
            .define(AUTO_CREATE_DATABASE, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Whether the sink creates the database of " + DATABASE + " (CREATE DATABASE IF NOT EXISTS) when it "
                            + "starts and whenever it finds it missing. Off: a missing database pauses the sink with "
                            + "that error until someone creates it; no record is dead-lettered for it.")
            .define(CLUSTER, Type.STRING, "", ConfigDef.LambdaValidator.with((name, value) -> {
                        // The name is an XML element of the servers' <remote_servers>.
                        if (!((String) value).isEmpty() && !((String) value).matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
                            throw new ConfigException(name, value, "is not a cluster name (an XML element name of the "
                                    + "servers' remote_servers: letters, digits, _ . -, not starting with a digit)");
                        }
                    }, () -> "empty, or the name of a cluster in the servers' remote_servers"), Importance.HIGH,
                    "Name of the ClickHouse cluster (remote_servers) to write to; empty for one server. Set: every "
                            + "table, view and column change is made ON CLUSTER, tables are "
                            + "ReplicatedReplacingMergeTree (replicas hold the same rows; an insert retried after a "
                            + "lost answer is deduplicated by the replicated engine), and a replica that is down runs "
                            + "the queued DDL when it is back. Validation checks the cluster exists.")
            .define(CLUSTER_ZOOKEEPER_PATH, Type.STRING, "/clickhouse/tables/{shard}/{database}/{table}",
                    ConfigDef.LambdaValidator.with((name, value) -> {
                        String path = (String) value;
                        if (!path.startsWith("/") || !path.contains("{table}")) {
                            throw new ConfigException(name, value, "must start with / and hold {table}, so that no two "
                                    + "tables share a ZooKeeper path");
                        }
                    }, () -> "a path starting with / that holds {table}"), Importance.MEDIUM,
                    "ZooKeeper (or Keeper) path of each replicated table the sink creates. {database} and {table} are "
                            + "filled in by the sink; {shard} and other macros by each server from its <macros>.")
            .define(CLUSTER_REPLICA_NAME, Type.STRING, "{replica}", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Replica name of each replicated table, usually the server's {replica} macro.")
            .define(CLUSTER_DDL_TIMEOUT_SECONDS, Type.LONG, 30L, Range.between(2, 3_600), Importance.LOW,
                    "How long an ON CLUSTER statement waits for every host to run it (the server's "
                            + "distributed_ddl_task_timeout). Past it the sink goes on: the statement stays in the "
                            + "distributed DDL queue and each host runs it in order, a host that is down once it is "
                            + "back; an insert that needs a column its replica has not added yet is retried meanwhile. "
                            + "While the hosts that have not run a statement are all down, the next statements wait "
                            + "2 s for them instead, until one reaches every host again.")
            .define(CLUSTER_INSERT_QUORUM, Type.INT, 0, Range.between(0, 16), Importance.MEDIUM,
                    "Replicas that must have written an insert before ClickHouse acknowledges it (the server's "
                            + "insert_quorum); 0: the replica the sink writes to, the others fetch the rows afterwards. "
                            + "2 on a shard of two replicas: an acknowledged change survives the loss of a replica's "
                            + "disk, and while a replica is down inserts wait (retried, nothing dead-lettered).")
            .define(CLUSTER_DISTRIBUTED, Type.BOOLEAN, false, Importance.MEDIUM,
                    "For a cluster of several shards: each table is a Distributed table over the cluster, sharded by a "
                            + "hash of the primary key (of the row for tables without one), in front of a replicated "
                            + "table of the same name plus " + CLUSTER_LOCAL_SUFFIX + " on every shard. The sink "
                            + "writes and reads through the Distributed table (inserts are synchronous), so each key "
                            + "lives on one shard and its versions replace each other there; the current-state view "
                            + "reads every shard; a history (" + HISTORY_TABLES + ") is kept per shard the same way. The "
                            + "sink does not rebuild tables of a sharded cluster by itself yet. Off: one shard.")
            .define(CLUSTER_LOCAL_SUFFIX, Type.STRING, "_local", Identifiers.validator(), Importance.LOW,
                    "Suffix of the per-shard table behind each Distributed table (with " + CLUSTER_DISTRIBUTED + ").")
            .define(CONNECT_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(100), Importance.LOW,
                    "How long to wait for a TCP connection to ClickHouse before the attempt counts as failed (and is retried).")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 120_000L, Range.atLeast(1_000), Importance.LOW,
                    "How long one statement or insert may take before it counts as failed (and is retried).")
            .define(TABLE_NAME_FORMAT, Type.STRING, "${table}", NameTemplate.validator(), Importance.MEDIUM,
                    "Name of the ClickHouse table for a source table, from the placeholders ${schema} and ${table}. "
                            + "Use ${schema}_${table} when several source schemas hold tables of the same name. "
                            + TableOverrides.PREFIX + "<schema>.<table>.name overrides it for one table.")
            .define(VIEW_SUFFIX, Type.STRING, "_current", Identifiers.validator(), Importance.MEDIUM,
                    "Suffix of the current-state view created beside each table: newest version per key, deleted rows "
                            + "left out. This view is what BI queries should read.")
            .define(PARTITION_BY, Type.STRING, "", TableOverrides.clause("PARTITION BY"), Importance.MEDIUM,
                    "PARTITION BY expression of tables the sink creates, e.g. intDiv(id, 1000000); empty for none. "
                            + "Use primary-key columns only: ReplacingMergeTree replaces the versions of a row within "
                            + "one partition, so an expression of anything that changes (the commit time) would keep "
                            + "them apart for good. "
                            + TableOverrides.PREFIX + "<schema>.<table>.partition.by overrides it for one table, as "
                            + TableOverrides.PREFIX + "<schema>.<table>.order.by overrides the sorting key (default: the "
                            + "primary key). Changing either later does not alter tables that exist.")
            .define(DROPPED_COLUMN_FILL, Type.STRING, FILL_DEFAULT, ValidString.in(FILL_DEFAULT, FILL_NULL),
                    Importance.MEDIUM,
                    "What a ClickHouse column holds in rows written after its source column was dropped: 'default' "
                            + "(the column's default: 0, '' or NULL if Nullable) or 'null' (the column is made Nullable "
                            + "first, so later rows say NULL: unknown). The column itself is never dropped: history keeps it.")
            .define(TEMPORAL_OUT_OF_RANGE, Type.STRING, null,
                    ConfigDef.LambdaValidator.with((name, value) -> {
                        if (value != null && !List.of("dead-letter", "clamp").contains(value)) {
                            throw new ConfigException(name, value, "must be 'dead-letter' or 'clamp'");
                        }
                    }, () -> "dead-letter, clamp"), Importance.LOW,
                    "Deprecated: use " + OutOfRangeValues.CONFIG + ". When set (and " + OutOfRangeValues.CONFIG
                            + " is not), 'dead-letter' means strict and 'clamp' means clamp.")
            .define(BATCH_MAX_ROWS, Type.INT, 50_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "Rows buffered per table before an insert is sent.")
            .define(HISTORY_TABLES, Type.STRING, "", ConfigValidators.regex(), Importance.MEDIUM,
                    "Tables (a regular expression matched against the whole <schema>.<table> of the change, e.g. "
                            + "public\\.(orders|customers)) whose every change is also kept, in an append-only table "
                            + "named like the table plus " + HISTORY_SUFFIX + ": the operation, version, commit time, "
                            + "transaction id, the row after the change and the row before as JSON where Postgres "
                            + "sends it. The current-state insert writes the history too (a materialized view), so the "
                            + "two never disagree; a replay adds no history row. On modern servers a view "
                            + "<table>_as_of(as_of = 'time') shows the table as it was then. Empty: no history.")
            .define(HISTORY_SUFFIX, Type.STRING, "_history", Identifiers.validator(), Importance.LOW,
                    "Suffix of the history table of a table in " + HISTORY_TABLES + ".")
            .define(HISTORY_TTL, Type.STRING, "", Retention.validator(), Importance.MEDIUM,
                    "How long history rows are kept after their commit time, e.g. 90 DAY (ClickHouse TTL, 19.6 and "
                            + "later; older servers log that it is not applied: drop old months by partition, see "
                            + "docs/events.md). " + TableOverrides.PREFIX + "<schema>.<table>.history.ttl overrides it "
                            + "for one table, and " + TableOverrides.PREFIX + "<schema>.<table>.ttl sets the TTL of a "
                            + "table's own rows (an event table's). Empty: kept forever. Applied when the table is "
                            + "created.")
            .define(DELETE_MARKER_CLEANUP, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Whether tables are created so that ClickHouse removes delete markers for good: on servers that "
                            + "have CLEANUP merges of ReplacingMergeTree(version, is_deleted) (23.12 and later) the "
                            + "table allows OPTIMIZE TABLE ... FINAL CLEANUP and, where the server has it, merges "
                            + "partitions older than " + DELETE_MARKER_CLEANUP_AGE + " with cleanup in the "
                            + "background. Elsewhere a warning names what to run instead (docs/events.md). Off: "
                            + "markers stay, hidden by the current-state view.")
            .define(DELETE_MARKER_CLEANUP_AGE, Type.LONG, 86_400L, Range.atLeast(60), Importance.LOW,
                    "Age in seconds of every part of a partition before a background merge may remove its delete "
                            + "markers (with " + DELETE_MARKER_CLEANUP + "). A marker must outlive any replay of older "
                            + "versions of its row, which a restart of the sink can deliver again.");

    static {
        SinkOptions.defineToastPlaceholder(DEFINED, "the sink keeps the value ClickHouse holds for that key "
                + "instead of writing it.");
        SinkOptions.defineBatching(DEFINED, 32L * 1024 * 1024, "Bytes (RowBinary) buffered over all tables before "
                + "inserts are sent.", 1_000L, "Longest time a change waits in the buffer before it is inserted, "
                + "however small the batch. Lower means fresher data and more, smaller parts in ClickHouse.");
        SinkOptions.defineRetries(DEFINED, "Attempts of an insert or statement that fails for a retriable reason "
                + "(connection refused, timeout, server overloaded) before the task gives the batch back to Connect to "
                + "redeliver.");
        SourceCheckConfig.define(DEFINED);
        TableRefusal.define(DEFINED);
        OutOfRangeValues.define(DEFINED, "dates and timestamps outside the ClickHouse type: DateTime on servers "
                + "before 23.x holds 1970 to 2105, Date 1970 to 2105, DateTime64 and Date32 1900 to 2299; Postgres' "
                + "infinity; the nearest of a date is the type's first or last day");
    }

    /** The settings in their groups, in the order Connect's validation and docs/configuration.md show them. */
    public static final ConfigDef CONFIG_DEF = ConfigGroups.of(DEFINED,
            group("Connection",
                    setting(URL, "ClickHouse URL"),
                    setting(USER, "User"),
                    setting(PASSWORD, "Password"),
                    setting(DATABASE, "Database"),
                    setting(AUTO_CREATE_DATABASE, "Create the database"),
                    setting(CLUSTER, "Cluster"),
                    setting(CLUSTER_ZOOKEEPER_PATH, "Replicated table path"),
                    setting(CLUSTER_REPLICA_NAME, "Replica name"),
                    setting(CLUSTER_DDL_TIMEOUT_SECONDS, "ON CLUSTER timeout (s)"),
                    setting(CLUSTER_INSERT_QUORUM, "Insert quorum"),
                    setting(CLUSTER_DISTRIBUTED, "Sharded (Distributed tables)"),
                    setting(CLUSTER_LOCAL_SUFFIX, "Per-shard table suffix"),
                    setting(CONNECT_TIMEOUT_MS, "Connect timeout (ms)"),
                    setting(REQUEST_TIMEOUT_MS, "Request timeout (ms)")),
            group("Tables",
                    setting(TABLE_NAME_FORMAT, "Table name format"),
                    setting(VIEW_SUFFIX, "Current-state view suffix"),
                    setting(PARTITION_BY, "PARTITION BY"),
                    setting(DROPPED_COLUMN_FILL, "Dropped column fill"),
                    setting(TableRefusal.CONFIG, "Refused table recheck (ms)")),
            group("History and retention",
                    setting(HISTORY_TABLES, "Tables with a history"),
                    setting(HISTORY_SUFFIX, "History table suffix"),
                    setting(HISTORY_TTL, "History retention"),
                    setting(DELETE_MARKER_CLEANUP, "Remove delete markers"),
                    setting(DELETE_MARKER_CLEANUP_AGE, "Delete marker age (s)")),
            group("Values",
                    setting(OutOfRangeValues.CONFIG, "Values out of range"),
                    setting(TEMPORAL_OUT_OF_RANGE, "Temporal values out of range (deprecated)"),
                    setting(TOAST_PLACEHOLDER, "Unchanged-TOAST placeholder")),
            group("Writes", List.of(
                    setting(BATCH_MAX_ROWS, "Batch rows"),
                    setting(BATCH_MAX_BYTES, "Batch bytes"),
                    setting(BATCH_LINGER_MS, "Batch linger (ms)")),
                    SinkOptions.retrySettings()),
            SourceCheckConfig.group());

    private final TableOverrides overrides;
    private final Pattern historyTables;

    public ClickHouseSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.overrides = TableOverrides.parse(originalsStrings());
        String history = getString(HISTORY_TABLES);
        this.historyTables = history.isBlank() ? null : Pattern.compile(history);
        SinkOptions.check(this);
        if (getBoolean(CLUSTER_DISTRIBUTED) && cluster().isEmpty()) {
            throw new ConfigException(CLUSTER_DISTRIBUTED, true, "needs " + CLUSTER + ", the cluster the Distributed "
                    + "tables spread over");
        }

    }

    /** The URL setting as written (one URL, or several separated by commas), for messages. */
    public String url() {
        return getString(URL);
    }

    /** The endpoints, in the order the sink tries them. */
    public List<String> urls() {
        return HttpUrls.split(getString(URL));
    }

    public String cluster() {
        return getString(CLUSTER);
    }

    public String clusterZooKeeperPath() {
        return getString(CLUSTER_ZOOKEEPER_PATH);
    }

    public String clusterReplicaName() {
        return getString(CLUSTER_REPLICA_NAME);
    }

    public boolean clusterDistributed() {
        return getBoolean(CLUSTER_DISTRIBUTED);
    }

    public String clusterLocalSuffix() {
        return getString(CLUSTER_LOCAL_SUFFIX);
    }

    public int clusterInsertQuorum() {
        return getInt(CLUSTER_INSERT_QUORUM);
    }

    public long clusterDdlTimeoutSeconds() {
        return getLong(CLUSTER_DDL_TIMEOUT_SECONDS);
    }

    public String user() {
        return getString(USER);
    }

    public String password() {
        Password password = getPassword(PASSWORD);
        return password == null ? "" : password.value();
    }

    public boolean autoCreateDatabase() {
        return getBoolean(AUTO_CREATE_DATABASE);
    }

    public String database() {
        return getString(DATABASE);
    }

    public long connectTimeoutMs() {
        return getLong(CONNECT_TIMEOUT_MS);
    }

    public long requestTimeoutMs() {
        return getLong(REQUEST_TIMEOUT_MS);
    }

    /** The ClickHouse table name of a source table: its override, else the name format. */
    public String tableName(TableId source) {
        String override = overrides.name(source);
        return override != null ? override : NameTemplate.parse(TABLE_NAME_FORMAT, getString(TABLE_NAME_FORMAT)).apply(source);
    }

    public String partitionBy(TableId source) {
        String override = overrides.partitionBy(source);
        return override != null ? override : getString(PARTITION_BY).trim();
    }

    /** The sorting-key override of a table, or null for its primary key. */
    public String orderBy(TableId source) {
        return overrides.orderBy(source);
    }

    /** Whether every change of the table is kept in its history table too. */
    public boolean keepsHistory(TableId table) {
        return historyTables != null && historyTables.matcher(table.schema() + "." + table.table()).matches();
    }

    public String historySuffix() {
        return getString(HISTORY_SUFFIX);
    }

    /** The retention of a table's history rows ({@code 90 DAY}), or empty. */
    public String historyTtl(TableId table) {
        String override = overrides.retention(table, TableOverrides.HISTORY_TTL);
        return override != null ? override : Retention.interval(HISTORY_TTL, getString(HISTORY_TTL));
    }

    /** The retention of a table's own rows, or empty. */
    public String ttl(TableId table) {
        String override = overrides.retention(table, TableOverrides.TTL);
        return override == null ? "" : override;
    }

    public boolean cleansDeleteMarkers() {
        return getBoolean(DELETE_MARKER_CLEANUP);
    }

    public long deleteMarkerCleanupAgeSeconds() {
        return getLong(DELETE_MARKER_CLEANUP_AGE);
    }

    public String viewSuffix() {
        return getString(VIEW_SUFFIX);
    }

    public boolean fillDroppedWithNull() {
        return FILL_NULL.equals(getString(DROPPED_COLUMN_FILL));
    }

    public long refusalRecheckMillis() {
        return TableRefusal.recheckMillis(this);
    }

    public OutOfRangeValues.Policy outOfRange() {
        String deprecated = getString(TEMPORAL_OUT_OF_RANGE);
        if (deprecated != null && !originals().containsKey(OutOfRangeValues.CONFIG)) {
            return deprecated.equals("clamp") ? OutOfRangeValues.Policy.CLAMP : OutOfRangeValues.Policy.STRICT;
        }
        return OutOfRangeValues.policy(this);
    }

    public String toastPlaceholder() {
        return getString(TOAST_PLACEHOLDER);
    }

    public int batchMaxRows() {
        return getInt(BATCH_MAX_ROWS);
    }

    public long batchMaxBytes() {
        return getLong(BATCH_MAX_BYTES);
    }

    public long batchLingerMs() {
        return getLong(BATCH_LINGER_MS);
    }

    public RetryBackoff backoff() {
        return SinkOptions.backoff(this);
    }

    /** Accepts http:// and https:// URLs only, one or several: the sink speaks ClickHouse's HTTP interface. */
    static final class HttpUrls implements ConfigDef.Validator {

        static List<String> split(String urls) {
            return Arrays.stream(urls.split(",")).map(String::trim).toList();
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                throw new ConfigException(name, value, "must be an http:// or https:// URL of ClickHouse's HTTP interface");
            }
            for (String url : split((String) value)) {
                if (!(url.startsWith("http://") || url.startsWith("https://"))) {
                    throw new ConfigException(name, value, "'" + url + "' is not an http:// or https:// URL of "
                            + "ClickHouse's HTTP interface");
                }
                try {
                    URI uri = new URI(url);
                    if (uri.getHost() == null) {
                        throw new ConfigException(name, value, "'" + url + "' names no host");
                    }
                } catch (URISyntaxException e) {
                    throw new ConfigException(name, value, "'" + url + "' is not a valid URL: " + e.getMessage());
                }
            }
        }

        @Override
        public String toString() {
            return "http(s)://host:port, or several separated by commas";
        }
    }
}
