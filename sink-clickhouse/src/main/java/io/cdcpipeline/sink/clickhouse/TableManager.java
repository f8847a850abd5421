package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.SourceColumns;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.TableRefusal;
import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import io.cdcpipeline.sink.clickhouse.types.TypeRegistry;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each target table in step with its source table's schema: creates it from the first record (engine,
 * {@code ORDER BY} the primary key, optional {@code PARTITION BY}, the CDC columns) with its current-state view;
 * adds a new source column before the batch that carries it; widens a column when the change is lossless; leaves a
 * dropped source column in place (made Nullable if so configured); any other change (a type no ALTER converts
 * losslessly, a changed primary key) rebuilds the table ({@link TableRebuilds}) or, when the sink cannot ask for the
 * snapshot that needs, is refused with a reason that the records carry to the dead-letter queue.
 */
final class TableManager {

    private static final Logger LOG = LoggerFactory.getLogger(TableManager.class);

    private final ClickHouseConnection connection;
    private long maxMemoryUsage = -1;
    private final ClickHouseSinkConfig config;
    private final TypeRegistry types;
    private final RetryBackoff backoff;
    private final RetryBackoff.Failures retries;
    private final ClickHouseType sourceTsType;
    private final Consumer<String> beforeAlter;
    private final TableRebuilds rebuilds;
    private final ChangeHistory history;
    private final TableSwap swap;
    /** The cluster the tables are replicated on, or null for one server. */
    private final ClickHouseCluster cluster;
    private final DeleteMarkerCleanup markerCleanup;
    /** What is known of each table's target: the layout its rows are written with, or why its records are refused. */
    private final Map<TableId, Known> known = new HashMap<>();

    private sealed interface Known permits Prepared, Refused {
    }

    private record Prepared(RowLayout layout) implements Known {
    }

    private record Refused(TableRefusal refusal) implements Known {
    }
    /** Quoted database.table to the table's own name, for every table this manager named. */
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private RowLayout lastLayout;
    private TableId lastTable;

    /**
     * @param beforeAlter called with a table's quoted name before its columns change: rows buffered in the old
     *                    layout must be inserted first, as RowBinary is read by the table's column types at insert
     */
    TableManager(ClickHouseConnection connection, ClickHouseSinkConfig config, RetryBackoff backoff, RetryBackoff.Failures retries,
            Consumer<String> beforeAlter, TableRebuilds rebuilds) {
        this.connection = connection;
        this.rebuilds = rebuilds;
        this.beforeAlter = beforeAlter;
        this.config = config;
        this.types = new TypeRegistry(connection.dialect());
        this.backoff = backoff;
        this.retries = retries;
        this.sourceTsType = types.columnType(SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build(), true);
        this.cluster = ClickHouseCluster.of(config);
        this.history = new ChangeHistory(config, connection.dialect(), cluster, this::qualified, this::execute);
        this.swap = new TableSwap(cluster, config.database(), this::qualified, this::execute, this::query);
        this.markerCleanup = new DeleteMarkerCleanup(config, connection, this::query);
    }

    /** The layout for a row-carrying event; the table is created or evolved first if needed. */
    RowLayout layoutFor(ChangeEvent event) {
        Schema schema = event.rowSchema();
        RowLayout last = lastLayout;
        if (last != null && last.schema() == schema && event.table().equals(lastTable)) {
            // The same table and schema object as the record before: the common case in a batch. The table is
            // compared too because a router can send rows of one schema to several tables (one per tenant).
            return last;
        }
        Known seen = known.get(event.table());
        if (seen instanceof Prepared prepared && (prepared.layout().schema() == schema
                || prepared.layout().schema().equals(schema))) {
            RowLayout layout = prepared.layout();
            lastLayout = layout;
            lastTable = event.table();
            return layout;
        }
        if (seen instanceof Refused refused && refused.refusal().holdsFor(schema, config.refusalRecheckMillis())) {
            throw new DataException(refused.refusal().reason());
        }
        try {
            RowLayout layout = prepare(event);
            known.put(event.table(), new Prepared(layout));
            lastLayout = layout;
            lastTable = event.table();
            return layout;
        } catch (ClickHouseFailure e) {
            if (e.kind() == ClickHouseFailure.Kind.RETRIABLE) {
                throw e;
            }
            // A statement ClickHouse refuses for this table (a PARTITION BY naming no column, say) stops this table,
            // not the others: its records go to the dead-letter queue with the server's reason.
            String reason = "ClickHouse refused the table for " + event.table() + ": " + e.getMessage();
            known.put(event.table(), new Refused(TableRefusal.of(schema, reason)));
            throw new DataException(reason, e);
        } catch (DataException e) {
            known.put(event.table(), new Refused(TableRefusal.of(schema, e.getMessage())));
            throw e;
        }
    }

    /** Whether a layout (or a refusal) of the table is known, from an earlier record. */
    boolean knows(TableId table) {
        return known.containsKey(table);
    }

    /** Forgets what is known of a table, so the next record reads it from ClickHouse again. */
    void forget(TableId table) {
        known.remove(table);
        lastLayout = null;
    }

    /**
     * The quoted table a source table's rows go to if it exists, without creating it (truncates need no table): the
     * rebuilt table while a rebuild runs.
     */
    String existingTable(TableId source) {
        String name = config.tableName(source);
        if (rebuilds.isRunning(source)) {
            name = TableRebuilds.nameFor(name);
        }
        return existingColumns(name).isEmpty() ? null : qualified(name);
    }

    /**
     * The table a rebuild of {@code source} replaces, while one runs: the rows written before it are still there
     * (what unchanged-TOAST holes of rows the snapshot has not reached yet are filled from).
     */
    String replacedByRebuild(TableId source) {
        return rebuilds.isRunning(source) ? qualified(config.tableName(source)) : null;
    }

    /** Whether a table holds the layout's key columns and {@code columns} as the layout's types. */
    boolean holdsAsIs(String qualifiedTable, RowLayout layout, Collection<String> columns) {
        String name = names.get(qualifiedTable);
        Map<String, String> held = name == null ? Map.of() : existingColumns(name);
        for (int i = 0; i < layout.fields().size(); i++) {
            String column = layout.column(i);
            if ((layout.isKey(i) || columns.contains(layout.fields().get(i).name()))
                    && (held.get(column) == null || !layout.type(i).sameAs(held.get(column)))) {
                return false;
            }
        }
        return !held.isEmpty();
    }

    /**
     * Puts a complete rebuild in its table's place: the old table keeps its rows under a new name (returned), the
     * current-state view is made again for the new columns. Called with nothing of the table buffered.
     */
    String swapIn(TableId source) {
        String name = config.tableName(source);
        String rebuild = TableRebuilds.nameFor(name);
        String replaced = name + "_replaced_" + LocalDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"));
        if (existingColumns(rebuild).isEmpty() && !existingColumns(name).isEmpty()) {
            // Another sink task of the connector, which wrote the table before Connect moved it here, swapped it in.
            forget(source);
            return null;
        }
        boolean withHistory = !existingColumns(history.tableOf(rebuild)).isEmpty();
        if (withHistory) {
            // The history first: a stop between the swaps leaves the rebuild to be swapped in again at the next start.
            history.swapIn(name, rebuild, replaced, swap);
        }
        // A stop between the statements of a swap (they are not one atomic step everywhere) is finished next time.
        swap.swap(name, rebuild, replaced);
        if (withHistory) {
            history.fill(name);
        }
        // A stop before this is healed at the next start: a view whose columns differ from its table is made again.
        for (String sql : connection.dialect().replaceView(qualified(name + config.viewSuffix()), viewSelect(name))) {
            execute(sql);
        }
        forget(source);
        return qualified(replaced);
    }

    private RowLayout prepare(ChangeEvent event) {
        TableId source = event.table();
        String name = config.tableName(source);
        String problem = Identifiers.problem(name);
        if (problem != null) {
            throw new DataException("the ClickHouse table name '" + name + "' for " + source + " " + problem);
        }
        List<String> keyColumns = event.keyColumns();
        List<Field> fields = event.columns();
        Map<String, ClickHouseType> wanted = new LinkedHashMap<>();
        for (Field field : fields) {
            String columnProblem = Identifiers.problem(field.name());
            if (columnProblem != null) {
                throw new DataException("source column name '" + field.name() + "' " + columnProblem);
            }
            if (CdcColumns.isCdcColumn(field.name())) {
                throw new DataException("source column " + field.name() + " has the name of a CDC column the sink adds");
            }
            wanted.put(field.name(), types.columnType(field.schema(), keyColumns.contains(field.name())));
        }
        WidePartMemory.check(connection.version(), this::maxMemoryUsage, source, qualified(name), wanted);
        String rebuild = TableRebuilds.nameFor(name);
        boolean rebuilding = rebuilds.isRunning(source);
        if (!rebuilding && swap.interrupted(rebuild)) {
            LOG.info("The swap of the rebuild {} into {} stopped half way: finishing it", qualified(rebuild),
                    qualified(name));
            swapIn(source);
        }
        if (!rebuilding && rebuilds.enabled() && !existingColumns(rebuild).isEmpty()) {
            rebuilds.begin(source, qualified(rebuild), qualified(name), "a rebuild of " + qualified(name) + " was found at start");
            rebuilding = true;
        }
        String target = rebuilding ? rebuild : name;
        Map<String, String> existing = existingColumns(target);
        String incompatible = existing.isEmpty() ? null : incompatibility(target, wanted, keyColumns, existing);
        if (incompatible != null && rebuilding) {
            // A record from before the change the rebuild is for, delivered again after a restart, still fits the
            // table it was written to; the snapshot brings its row into the rebuilt table.
            Map<String, String> old = existingColumns(name);
            if (!old.isEmpty() && incompatibility(name, wanted, keyColumns, old) == null) {
                target = name;
                existing = old;
                incompatible = null;
            }
        }
        if (incompatible != null) {
            String reason = "incompatible change of source table " + source + " for ClickHouse table "
                    + qualified(target) + ": " + incompatible;
            if (!rebuilds.enabled()) {
                throw new DataException(reason + ". Set " + SourceCheckConfig.URL + " and " + SourceCheckConfig.SIGNAL_TABLE
                        + " so that the sink rebuilds the table by itself, or convert it yourself (ALTER TABLE ... "
                        + "MODIFY COLUMN; for a changed key: rename or drop the table and its view, then re-snapshot "
                        + source + " with bin/cdc snapshot) and replay the dead letters");
            }
            if (rebuilding) {
                LOG.info("Source table {} changed again during the rebuild of {}: starting the rebuild over", source,
                        qualified(name));
                beforeAlter.accept(qualified(rebuild));
                history.drop(rebuild, swap);
                swap.drop(rebuild);
            }
            LOG.warn("{}; rebuilding it as {} (BI reads {} as it was until the swap)", reason, qualified(rebuild),
                    qualified(name + config.viewSuffix()));
            target = rebuild;
            existing = Map.of();
            create(source, target, wanted, keyColumns, false);
            rebuilds.begin(source, qualified(rebuild), qualified(name), reason);
        }
        // The schema the table was written with before: renames are told apart from it. This process's own, or
        // after a restart the one recorded in the table.
        SourceColumns recorded = existing.isEmpty() ? null : recordedColumns(target);
        List<Field> before = known.get(source) instanceof Prepared previous ? previous.layout().fields()
                : recorded == null ? List.of() : recorded.before(event);
        Map<String, String> columnFor = recorded == null ? Map.of() : recorded.renamedSince(event, keyColumns);
        if (!columnFor.isEmpty()) {
            // A record from before a rename, delivered again: its values go to the columns under their new names.
            Map<String, ClickHouseType> renamed = new LinkedHashMap<>();
            wanted.forEach((column, type) -> renamed.put(columnFor.getOrDefault(column, column), type));
            wanted = renamed;
        }
        Map<String, ClickHouseType> encodeAs = existing.isEmpty() && incompatible == null
                ? create(source, target, wanted, keyColumns, !target.equals(rebuild))
                : existing.isEmpty() ? wanted
                : evolve(source, target, wanted, keyColumns, existing, fields, before, !target.equals(rebuild));
        if ((recorded == null || recorded.replacedBy(event))
                && (cluster == null || connection.dialect().commentsReplicatedColumns())) {
            execute("ALTER TABLE " + qualified(localOf(target)) + " COMMENT COLUMN " + CdcColumns.VERSION + " "
                    + SqlText.literal(SourceColumns.of(event).toJson()));
        }
        boolean keepsHistory = config.keepsHistory(source) || existing.containsKey(CdcColumns.OP);
        if (keepsHistory && !existing.isEmpty()) {
            keepHistory(source, target, keyColumns, existing, !target.equals(rebuild));
        }
        List<ClickHouseType> columnTypes = new ArrayList<>();
        fields.forEach(f -> columnTypes.add(encodeAs.get(columnFor.getOrDefault(f.name(), f.name()))));
        return new RowLayout(qualified(target), event.rowSchema(), fields, columnTypes, keyColumns, sourceTsType,
                columnFor, keepsHistory);
    }

    /**
     * Why the table cannot take rows of this schema by any lossless {@code ALTER}, or null: a primary key added,
     * dropped or changed (no ClickHouse version changes a sorting key), or a column type that cannot be widened.
     */
    private String incompatibility(String table, Map<String, ClickHouseType> wanted, List<String> keyColumns,
            Map<String, String> existing) {
        if (existing.containsKey(CdcColumns.ROW_KEY) != keyColumns.isEmpty()) {
            return keyColumns.isEmpty() ? "the source table has no primary key any more"
                    : "the source table has a primary key now, and the ClickHouse table was made for a table without "
                    + "one (rows keyed by content)";
        }
        List<String> problems = new ArrayList<>();
        if (!keyColumns.isEmpty()) {
            Set<String> sortingKey = sortingKey(table);
            List<String> outside = keyColumns.stream().filter(k -> !sortingKey.contains(k)).toList();
            if (!outside.isEmpty()) {
                problems.add("the primary key changed: key column(s) " + outside + " are not in the sorting key "
                        + sortingKey + " (a renamed key column, or a new primary key), so versions of different rows "
                        + "would replace each other");
            }
        }
        wanted.forEach((column, type) -> {
            String existingType = existing.get(column);
            if (existingType != null) {
                String refusal = ColumnEvolution.decide(existingType, type, keyColumns.contains(column)).refusal();
                if (refusal != null) {
                    problems.add("column " + column + ": " + refusal);
                }
            }
        });
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** @param withView whether to make the current-state view too (a rebuilt table gets it when it is swapped in) */
    private Map<String, ClickHouseType> create(TableId source, String name, Map<String, ClickHouseType> columns,
            List<String> keyColumns, boolean withView) {
        ClickHouseDialect dialect = connection.dialect();
        // On a sharded cluster the rows live in a per-shard table, and the table of the name is the Distributed
        // table in front of it.
        String local = localOf(name);
        StringJoiner ddl = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + qualified(local) + " (\n  ", "\n)");
        columns.forEach((column, type) -> ddl.add(SqlText.identifier(column) + " " + type.sql()));
        boolean keyless = keyColumns.isEmpty();
        boolean keepsHistory = config.keepsHistory(source);
        CdcColumns.definitions(dialect, keyless, keepsHistory).forEach(ddl::add);
        if (keyless) {
            // No key: a row is keyed by its content, so a replay replaces it and a delete (under REPLICA IDENTITY
            // FULL, which carries the whole old row) finds it. Rows equal in every column are one row here.
            LOG.info("Source table {} has no primary key: ClickHouse table {} keys its rows by their content ({})",
                    source, qualified(name), CdcColumns.ROW_KEY);
        }
        String engine = dialect.engine(CdcColumns.VERSION, CdcColumns.DELETED);
        if (cluster != null) {
            engine = cluster.replicated(engine, config.database(), local, !withView);
        }
        StringBuilder sql = new StringBuilder(ddl.toString()).append("\nENGINE = ").append(engine);
        String partitionBy = config.partitionBy(source);
        if (!partitionBy.isEmpty()) {
            sql.append("\nPARTITION BY ").append(partitionBy);
        }
        String orderBy = orderBy(source, keyColumns);
        sql.append("\nORDER BY ").append(orderBy);
        String ttl = config.ttl(source);
        if (!ttl.isEmpty() && dialect.supportsTtl()) {
            sql.append("\n").append(Retention.ttlClause(ttl));
        } else if (!ttl.isEmpty()) {
            LOG.warn("The ttl override of {} is not applied to {}: this ClickHouse server has no TTL (19.6 and later "
                    + "do)", source, qualified(name));
        }
        List<String> settings = new ArrayList<>();
        if (keyColumns.stream().anyMatch(k -> columns.get(k).nullable())) {
            settings.add(dialect.nullableKeySetting());
        }
        settings.addAll(markerCleanup.tableSettings(qualified(local)));
        if (!settings.isEmpty()) {
            sql.append("\nSETTINGS ").append(String.join(", ", settings));
        }
        LOG.info("Creating ClickHouse table {} for {} ({} dialect):\n{}", qualified(local), source, dialect.description(), sql);
        execute(sql.toString());
        if (!local.equals(name)) {
            List<String> sharding = keyless ? List.of(CdcColumns.ROW_KEY) : keyColumns;
            execute("CREATE TABLE IF NOT EXISTS " + qualified(name) + " AS " + qualified(local) + " ENGINE = "
                    + cluster.distributedEngine(config.database(), local, sharding));
        }
        if (keepsHistory) {
            history.ensure(source, name, orderBy, keyColumns, withView);
        }
        if (!withView) {
            return columns;
        }
        // The view is what BI reads: the newest version of each key, deleted keys left out.
        execute("CREATE VIEW IF NOT EXISTS " + qualified(name + config.viewSuffix()) + " AS " + viewSelect(name));
        return columns;
    }

    /**
     * The sorting key of a source table's target: its primary key, or the override (which must hold every key
     * column), or the content key of a table without one.
     */
    private String orderBy(TableId source, List<String> keyColumns) {
        if (keyColumns.isEmpty()) {
            return "(" + CdcColumns.ROW_KEY + ")";
        }
        String override = config.orderBy(source);
        if (override != null) {
            // ReplacingMergeTree replaces rows with equal sorting keys: without every key column in it, versions of
            // one row would never replace each other (and extra columns in it must never change).
            List<String> missing = SortingKey.parse(override).missing(keyColumns);
            if (!missing.isEmpty()) {
                throw new DataException("table.override." + source.schema() + "." + source.table() + ".order.by ("
                        + override + ") must list every primary-key column of " + source + " as an element of its "
                        + "own; missing " + missing + " (an element that only mentions one, such as customer_id or "
                        + "intHash32(id), would make ClickHouse merge distinct rows)");
            }
            return override;
        }
        StringJoiner key = new StringJoiner(", ", "(", ")");
        keyColumns.forEach(k -> key.add(SqlText.identifier(k)));
        return key.toString();
    }

    /**
     * A table written before its history was asked for gets the history's columns, then (like every table with a
     * history, at each start) its history table and the view that fills it.
     */
    private void keepHistory(TableId source, String table, List<String> keyColumns, Map<String, String> existing,
            boolean withView) {
        if (!existing.isEmpty() && !existing.containsKey(CdcColumns.OP)) {
            LOG.info("Keeping the change history of {} from now on: adding its columns to {}", source, qualified(table));
            beforeAlter.accept(qualified(table));
            for (String definition : CdcColumns.historyDefinitions()) {
                alterTable(table, "ADD COLUMN " + definition);
            }
            if (withView) {
                keepView(table, existingColumns(table), true);
            }
        }
        history.ensure(source, table, orderBy(source, keyColumns), keyColumns, withView);
    }

    private Map<String, ClickHouseType> evolve(TableId source, String name, Map<String, ClickHouseType> wanted,
            List<String> keyColumns, Map<String, String> existing, List<Field> fields, List<Field> before,
            boolean withView) {
        Map<String, ClickHouseType> encodeAs = new LinkedHashMap<>();
        Map<String, String> renamedFrom = ColumnRenames.between(before, fields, wanted, existing, keyColumns);
        existing = new LinkedHashMap<>(existing);
        String previous = null;
        List<String> refusals = new ArrayList<>();
        int alteredColumns = 0;
        for (Map.Entry<String, ClickHouseType> column : wanted.entrySet()) {
            String columnName = column.getKey();
            String existingType = existing.get(columnName);
            String oldName = renamedFrom.get(columnName);
            if (existingType == null && oldName != null) {
                beforeAlter.accept(qualified(name));
                alteredColumns++;
                if (connection.dialect().renamesColumns()) {
                    LOG.info("Column {} of source table {} was renamed to {}: renaming it in {}", oldName, source,
                            columnName, qualified(name));
                    alter(name, "RENAME COLUMN " + SqlText.identifier(oldName) + " TO " + SqlText.identifier(columnName));
                    existing.remove(oldName);
                } else {
                    // No RENAME COLUMN before 20.4: the new column reads the old one's values in the rows written
                    // before (a default computed on read); the old column stays, as a dropped one does.
                    LOG.info("Column {} of source table {} was renamed to {}: adding {} to {}, which reads {}'s values "
                            + "in earlier rows", oldName, source, columnName, columnName, qualified(name), oldName);
                    alter(name, "ADD COLUMN " + SqlText.identifier(columnName) + " " + column.getValue().sql()
                            + " DEFAULT " + SqlText.identifier(oldName) + " AFTER " + SqlText.identifier(oldName));
                }
                encodeAs.put(columnName, column.getValue());
            } else if (existingType == null) {
                // Before the batch that carries it: the insert would otherwise fail on an unknown column.
                LOG.info("Adding column {} {} to {} (new in source table {})", columnName, column.getValue().sql(),
                        qualified(name), source);
                beforeAlter.accept(qualified(name));
                alteredColumns++;
                Field field = fields.stream().filter(f -> f.name().equals(columnName)).findFirst().orElseThrow();
                alter(name, "ADD COLUMN " + SqlText.identifier(columnName) + " " + column.getValue().sql()
                        + ColumnDefaults.clause(field, column.getValue()) + " AFTER "
                        + SqlText.identifier(previous == null ? lastSourceColumn(existing) : previous));
                encodeAs.put(columnName, column.getValue());
            } else {
                ColumnEvolution.Decision decision = ColumnEvolution.decide(existingType, column.getValue(),
                        keyColumns.contains(columnName));
                if (decision.refusal() != null) {
                    refusals.add("column " + columnName + ": " + decision.refusal());
                    continue;
                }
                if (decision.modifyTo() != null) {
                    LOG.info("Widening column {} of {} from {} to {} (source table {} changed)", columnName,
                            qualified(name), existingType, decision.modifyTo(), source);
                    beforeAlter.accept(qualified(name));
                    alteredColumns++;
                    alter(name, "MODIFY COLUMN " + SqlText.identifier(columnName) + " " + decision.modifyTo()
                            + connection.dialect().waitForMutation());
                }
                encodeAs.put(columnName, decision.encodeAs());
            }
            previous = columnName;
        }
        boolean altered = handleDropped(source, name, wanted, existing) || alteredColumns > 0;
        if (withView) {
            keepView(name, existing, altered);
        }
        if (!refusals.isEmpty()) { // incompatibility() checked the record's own names; this, columns renamed since
            throw new DataException("incompatible change of source table " + source + " for ClickHouse table "
                    + qualified(name) + ": " + String.join("; ", refusals));
        }
        return encodeAs;
    }

    /** Makes the current-state view of a table again after its columns changed, or when it is missing. */
    private void keepView(String name, Map<String, String> existing, boolean altered) {
        String view = name + config.viewSuffix();
        Map<String, String> viewColumns = altered ? Map.of() : existingColumns(view);
        if (altered || (!viewColumns.isEmpty() && !viewColumns.equals(existing))) {
            // Views keep the column list and types they were created with (SELECT * is expanded then); a view that
            // differs from its table was left behind by a stop between an ALTER and the view's replacement.
            for (String sql : connection.dialect().replaceView(qualified(view), viewSelect(name))) {
                execute(sql);
            }
        } else if (viewColumns.isEmpty()) {
            // A stop between creating the table and its view (or, before 19.x, between dropping and creating the
            // view) leaves the table without the view BI reads: make it again.
            LOG.info("Creating the missing view {} of {}", qualified(view), qualified(name));
            execute("CREATE VIEW IF NOT EXISTS " + qualified(view) + " AS " + viewSelect(name));
        }
    }

    /** Returns whether a column was altered. */
    private boolean handleDropped(TableId source, String name, Map<String, ClickHouseType> wanted,
            Map<String, String> existing) {
        boolean altered = false;
        for (Map.Entry<String, String> column : existing.entrySet()) {
            String columnName = column.getKey();
            if (wanted.containsKey(columnName) || CdcColumns.isCdcColumn(columnName)) {
                continue;
            }
            String type = column.getValue();
            if (config.fillDroppedWithNull() && !type.startsWith("Nullable(") && !type.startsWith("Array(")
                    && !isSortingKey(name, columnName)) {
                LOG.info("Column {} of {} is no longer in source table {}; making it Nullable so later rows hold NULL",
                        columnName, qualified(name), source);
                beforeAlter.accept(qualified(name));
                alter(name, "MODIFY COLUMN " + SqlText.identifier(columnName) + " Nullable(" + type + ")"
                        + connection.dialect().waitForMutation());
                altered = true;
            } else {
                LOG.info("Column {} of {} is no longer in source table {}; later rows hold its default", columnName,
                        qualified(name), source);
            }
        }
        return altered;
    }

    private boolean isSortingKey(String name, String column) {
        List<String[]> rows = query("SELECT is_in_sorting_key FROM system.columns WHERE database = "
                + SqlText.literal(config.database()) + " AND table = " + SqlText.literal(localOf(name)) + " AND name = "
                + SqlText.literal(column) + " FORMAT TabSeparated");
        return !rows.isEmpty() && "1".equals(rows.get(0)[0]);
    }

    /** The last column before the CDC columns (ClickHouse before 23.x has no ADD COLUMN ... FIRST). */
    private static String lastSourceColumn(Map<String, String> existing) {
        String last = null;
        for (String column : existing.keySet()) {
            if (!CdcColumns.isCdcColumn(column)) {
                last = column;
            }
        }
        return last == null ? CdcColumns.VERSION : last;
    }

    /**
     * The table's sorting key: the table replaces the versions of a row by it, so a source key column outside it (a
     * renamed key column, or a new primary key) would make versions of different rows replace each other.
     */
    private Set<String> sortingKey(String name) {
        Set<String> sortingKey = new HashSet<>();
        for (String[] row : query("SELECT name FROM system.columns WHERE database = " + SqlText.literal(config.database())
                + " AND table = " + SqlText.literal(localOf(name)) + " AND is_in_sorting_key FORMAT TabSeparated")) {
            sortingKey.add(row[0]);
        }
        return sortingKey;
    }

    /**
     * The source columns the table was last written with, kept as the comment of its version column (the table
     * carries it through renames and rebuilds; 18.16 has column comments too); null if none is recorded.
     */
    private SourceColumns recordedColumns(String name) {
        List<String[]> rows = query("SELECT comment FROM system.columns WHERE database = " + SqlText.literal(config.database())
                + " AND table = " + SqlText.literal(localOf(name)) + " AND name = " + SqlText.literal(CdcColumns.VERSION)
                + " FORMAT TabSeparated");
        return rows.isEmpty() ? null : SourceColumns.parse(rows.get(0)[0]);
    }

    /** The server's max_memory_usage for the sink's user (0: no limit), read once. */
    private long maxMemoryUsage() {
        if (maxMemoryUsage < 0) {
            List<String[]> rows = query("SELECT value FROM system.settings WHERE name = 'max_memory_usage' "
                    + "FORMAT TabSeparated");
            maxMemoryUsage = rows.isEmpty() ? 0 : Long.parseLong(rows.get(0)[0].trim());
        }
        return maxMemoryUsage;
    }

    private Map<String, String> existingColumns(String name) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (String[] row : query("SELECT name, type FROM system.columns WHERE database = "
                + SqlText.literal(config.database()) + " AND table = " + SqlText.literal(name) + " FORMAT TabSeparated")) {
            columns.put(row[0], row[1]);
        }
        return columns;
    }

    private List<String[]> query(String sql) {
        return backoff.call("query of " + sql, () -> connection.queryRows(sql), retries);
    }

    /**
     * Changes a column of a table and, first, of its history: the history's view copies each inserted row by column
     * name, so the history must have every column the table has before a row with it is inserted.
     */
    private void alter(String table, String clause) {
        if (!existingColumns(history.tableOf(table)).isEmpty()) {
            alterTable(history.tableOf(table), clause);
        }
        alterTable(table, clause);
    }

    /** Changes one table: on a sharded cluster its per-shard table, then its Distributed table made again. */
    private void alterTable(String table, String clause) {
        if (!localOf(table).equals(table)) {
            execute("ALTER TABLE " + qualified(localOf(table)) + " " + clause);
            // A Distributed table holds no rows (inserts are synchronous): it is made again with the shards' new
            // columns. ALTER of it ON CLUSTER is refused by servers before 19.x where shards are replicated.
            String engine = query("SELECT engine_full FROM system.tables WHERE database = "
                    + SqlText.literal(config.database()) + " AND name = " + SqlText.literal(table)
                    + " FORMAT TabSeparated").get(0)[0];
            execute("DROP TABLE IF EXISTS " + qualified(table));
            execute("CREATE TABLE IF NOT EXISTS " + qualified(table) + " AS " + qualified(localOf(table))
                    + " ENGINE = " + engine);
            return;
        }
        execute("ALTER TABLE " + qualified(table) + " " + clause);
    }

    /** The per-shard table behind a table on a sharded cluster; the table itself elsewhere. */
    private String localOf(String table) {
        return cluster == null ? table : cluster.localOf(table);
    }

    /**
     * The table that mutations ({@code ALTER ... DELETE}) of a table this manager named go to: its per-shard table on
     * a sharded cluster (a Distributed table holds no rows), itself elsewhere.
     */
    String mutationTarget(String qualifiedTable) {
        String name = names.get(qualifiedTable);
        return name == null ? qualifiedTable : qualified(localOf(name));
    }

    private void execute(String sql) {
        backoff.run(sql.lines().findFirst().orElse(sql), () -> connection.execute(sql), retries);
    }

    private String viewSelect(String name) {
        return "SELECT * FROM " + qualified(name) + " FINAL WHERE " + CdcColumns.DELETED + " = 0";
    }

    String qualified(String table) {
        String qualified = SqlText.identifier(config.database()) + "." + SqlText.identifier(table);
        names.putIfAbsent(qualified, table);
        return qualified;
    }

    /**
     * Writes a delete marker at version {@code bound - 1} for every live row of a table whose version is below
     * {@code bound} (see {@link io.cdcpipeline.core.snapshot.SnapshotSweeps}): server side, each marker a copy of the
     * row it deletes. Returns how many rows that removed.
     */
    long removeOlderThan(String qualifiedTable, long bound) {
        Map<String, String> columns = columnsOf(qualifiedTable);
        if (columns.isEmpty()) {
            return 0;
        }
        String stale = " FROM " + qualifiedTable + " FINAL WHERE " + CdcColumns.VERSION + " < " + bound + " AND "
                + CdcColumns.DELETED + " = 0";
        long count = Long.parseLong(query("SELECT count()" + stale + " FORMAT TabSeparated").get(0)[0]);
        if (count > 0) {
            execute(CdcColumns.markerCopy(qualifiedTable, columns, "toUInt64(" + (bound - 1) + ")", stale));
        }
        return count;
    }

    /**
     * The columns and their types of a table this manager named; empty when it does not exist, or while a rebuild
     * replaces it (its rows, in the columns of before, are neither swept nor checked against the changed source).
     */
    Map<String, String> columnsOf(String qualifiedTable) {
        String name = names.get(qualifiedTable);
        return name == null || rebuilds.replaces(qualifiedTable) ? Map.of() : existingColumns(name);
    }
}
