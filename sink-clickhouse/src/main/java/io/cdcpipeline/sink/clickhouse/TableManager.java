package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates each target table from the first record of its source table ({@code ReplacingMergeTree} on the change
 * version, ordered by the primary key), its current-state view, and adds columns that appear later in the source.
 */
final class TableManager {

    private static final Logger LOG = LoggerFactory.getLogger(TableManager.class);

    private final ClickHouseServer server;
    private final ClickHouseSinkConfig config;
    private final Map<TableId, TargetTable> known = new HashMap<>();

    TableManager(ClickHouseServer server, ClickHouseSinkConfig config) {
        this.server = server;
        this.config = config;
    }

    /** The target of a row-carrying event, created or widened as needed. */
    TargetTable tableFor(ChangeEvent event) {
        TargetTable table = known.get(event.table());
        if (table == null || !table.columns().keySet().containsAll(columnNames(event))) {
            table = ensure(event);
            known.put(event.table(), table);
        }
        return table;
    }

    /** The target of a table if it exists, without creating it (truncates need no new table). */
    String existingTable(TableId source) {
        String name = config.tableNames().apply(source);
        List<String> found = server.queryLines("SELECT count() FROM system.tables WHERE database = "
                + literal(config.database()) + " AND name = " + literal(name) + " FORMAT TabSeparated");
        return "1".equals(found.get(0)) ? qualified(name) : null;
    }

    private TargetTable ensure(ChangeEvent event) {
        ClickHouseDialect dialect = server.dialect();
        String name = config.tableNames().apply(event.table());
        Set<String> keyColumns = new HashSet<>(event.keyColumns());
        Map<String, ColumnType> columns = new LinkedHashMap<>();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (Field field : event.columns()) {
            columns.put(field.name(), ColumnType.of(field.schema(), dialect, keyColumns.contains(field.name())));
            schemas.put(field.name(), field.schema());
        }
        Set<String> existing = new HashSet<>(server.queryLines("SELECT name FROM system.columns WHERE database = "
                + literal(config.database()) + " AND table = " + literal(name) + " FORMAT TabSeparated"));
        if (existing.isEmpty()) {
            create(name, columns, event.keyColumns(), dialect);
        } else {
            for (Map.Entry<String, ColumnType> column : columns.entrySet()) {
                if (!existing.contains(column.getKey())) {
                    // Before the batch that carries it: the insert would otherwise fail on an unknown column.
                    LOG.info("Adding column {} {} to {} (new in source table {})", column.getKey(),
                            column.getValue().sql(), qualified(name), event.table());
                    server.execute("ALTER TABLE " + qualified(name) + " ADD COLUMN " + quote(column.getKey()) + " "
                            + column.getValue().sql() + " AFTER " + lastSourceColumn(existing, columns, column.getKey()));
                    existing.add(column.getKey());
                }
            }
        }
        return new TargetTable(qualified(name), columns);
    }

    private void create(String name, Map<String, ColumnType> columns, List<String> keyColumns, ClickHouseDialect dialect) {
        StringJoiner ddl = new StringJoiner(",\n  ", "CREATE TABLE IF NOT EXISTS " + qualified(name) + " (\n  ", "\n)");
        columns.forEach((column, type) -> ddl.add(quote(column) + " " + type.sql()));
        ddl.add(CdcColumns.VERSION + " UInt64");
        ddl.add(CdcColumns.DELETED + " UInt8");
        ddl.add(CdcColumns.SOURCE_TS + " " + dialect.dateTimeType());
        ddl.add(CdcColumns.WRITTEN_AT + " " + dialect.dateTimeType() + " DEFAULT " + dialect.nowExpression());
        StringJoiner orderBy = new StringJoiner(", ", "(", ")");
        keyColumns.forEach(k -> orderBy.add(quote(k)));
        String sql = ddl + " ENGINE = " + dialect.engine(CdcColumns.VERSION, CdcColumns.DELETED) + " ORDER BY " + orderBy;
        LOG.info("Creating ClickHouse table {} on server {}: {}", qualified(name), server.version(), sql);
        server.execute(sql);
        // The view is what BI reads: the newest version of each key, deleted keys left out.
        String view = qualified(name + config.viewSuffix());
        server.execute("CREATE VIEW IF NOT EXISTS " + view + " AS SELECT * FROM " + qualified(name) + " FINAL WHERE "
                + CdcColumns.DELETED + " = 0");
    }

    private static String lastSourceColumn(Set<String> existing, Map<String, ColumnType> columns, String adding) {
        String previous = null;
        for (String column : columns.keySet()) {
            if (column.equals(adding)) {
                break;
            }
            if (existing.contains(column)) {
                previous = column;
            }
        }
        return previous == null ? CdcColumns.WRITTEN_AT : quote(previous);
    }

    private static Set<String> columnNames(ChangeEvent event) {
        Set<String> names = new HashSet<>();
        event.columns().forEach(f -> names.add(f.name()));
        return names;
    }

    String qualified(String table) {
        return quote(config.database()) + "." + quote(table);
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
