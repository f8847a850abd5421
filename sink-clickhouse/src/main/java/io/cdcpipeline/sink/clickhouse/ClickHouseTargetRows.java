package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.consistency.KeyColumns;
import io.cdcpipeline.core.consistency.TargetRows;
import io.cdcpipeline.core.consistency.TargetValues;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ClickHouse side of a check against the source ({@link TargetRows}): live rows read page by page in key order
 * from the table with {@code FINAL}, keys as {@code toString} text; a stray removed by a delete marker, a server-side
 * copy of the row at its version plus one, written only while the row still holds the version that was read.
 */
final class ClickHouseTargetRows implements TargetRows, TargetValues {

    private final ClickHouseConnection connection;
    private final TableManager tables;
    private final RetryBackoff backoff;
    private final RetryBackoff.Failures retries;

    ClickHouseTargetRows(ClickHouseConnection connection, TableManager tables, RetryBackoff backoff,
            RetryBackoff.Failures retries) {
        this.connection = connection;
        this.tables = tables;
        this.backoff = backoff;
        this.retries = retries;
    }

    @Override
    public void scanLive(String table, KeyColumns key, int batchSize, Consumer<List<Row>> batches) {
        page(table, key, List.of(CdcColumns.VERSION), batchSize, cells -> {
            List<Row> rows = new ArrayList<>(cells.size());
            for (String[] row : cells) {
                rows.add(new Row(List.of(row).subList(0, key.size()), Long.parseUnsignedLong(row[key.size()]), null));
            }
            batches.accept(rows);
        });
    }

    /**
     * One streamed query, in no particular order (a comparison buckets rows by key hash): much faster than pages in
     * key order, each a {@code FINAL} read of its own. Not retried: a failure midway is thrown.
     */
    @Override
    public void scanValues(String table, KeyColumns key, List<String> columns, int batchSize,
            Consumer<List<ValuedRow>> batches) {
        if (tables.columnsOf(table).isEmpty()) {
            return;
        }
        String sql = "SELECT " + keyText(key) + ", " + String.join(", ", texts(table, columns)) + " FROM " + table
                + " FINAL WHERE " + CdcColumns.DELETED + " = 0 FORMAT TabSeparated";
        List<ValuedRow> batch = new ArrayList<>(batchSize);
        connection.streamRows(sql, row -> {
            List<String> all = Arrays.asList(row);
            batch.add(new ValuedRow(all.subList(0, key.size()), all.subList(key.size(), row.length)));
            if (batch.size() == batchSize) {
                batches.accept(new ArrayList<>(batch));
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            batches.accept(batch);
        }
    }

    @Override
    public Map<List<String>, List<String>> values(String table, KeyColumns key, List<String> columns,
            List<List<String>> keys) {
        Map<List<String>, List<String>> values = new HashMap<>();
        if (keys.isEmpty() || tables.columnsOf(table).isEmpty()) {
            return values;
        }
        String sql = "SELECT " + keyText(key) + ", " + String.join(", ", texts(table, columns)) + " FROM " + table
                + " FINAL WHERE " + CdcColumns.DELETED + " = 0 AND (" + keyText(key) + ") IN (" + keyList(keys)
                + ") FORMAT TabSeparated";
        for (String[] row : backoff.call("query of " + table, () -> connection.queryRows(sql), retries)) {
            List<String> all = Arrays.asList(row);
            values.put(all.subList(0, key.size()), all.subList(key.size(), row.length));
        }
        return values;
    }

    @Override
    public Map<String, Integer> fractionDigits(String table) {
        Map<String, Integer> digits = new HashMap<>();
        tables.columnsOf(table).forEach((column, type) -> {
            Matcher precise = Pattern.compile("DateTime64\\((\\d+)").matcher(type);
            if (precise.find()) {
                digits.put(column, Integer.parseInt(precise.group(1)));
            } else if (type.matches("(Nullable\\()?DateTime(\\(.*\\))?\\)?")) {
                digits.put(column, 0);
            }
        });
        return digits;
    }

    @Override
    public List<List<String>> sampleKeys(String table, KeyColumns key, int n) {
        List<List<String>> keys = new ArrayList<>();
        if (tables.columnsOf(table).isEmpty()) {
            return keys;
        }
        String sql = "SELECT " + keyText(key) + " FROM " + table + " FINAL WHERE " + CdcColumns.DELETED
                + " = 0 ORDER BY rand() LIMIT " + n + " FORMAT TabSeparated";
        for (String[] row : backoff.call("sample of " + table, () -> connection.queryRows(sql), retries)) {
            keys.add(List.of(row));
        }
        return keys;
    }

    /** Each column as text; NULL for a column the table lacks (added in Postgres, no row written since). */
    private List<String> texts(String table, List<String> columns) {
        Map<String, String> present = tables.columnsOf(table);
        List<String> texts = new ArrayList<>(columns.size());
        columns.forEach(column -> texts.add(present.containsKey(column)
                ? ValueText.of(SqlText.identifier(column), present.get(column)) : "NULL"));
        return texts;
    }

    /**
     * Reads the live rows in key order, a page at a time (keyset paging: the last key read, cast back to the column
     * types), each row as its key text followed by the {@code select}ed cells.
     */
    private void page(String table, KeyColumns key, List<String> select, int batchSize, Consumer<List<String[]>> pages) {
        List<String> keyColumns = key.names();
        Map<String, String> columns = tables.columnsOf(table);
        if (columns.isEmpty()) {
            return;
        }
        StringJoiner order = new StringJoiner(", ");
        keyColumns.forEach(column -> order.add(SqlText.identifier(column)));
        List<String> after = null;
        while (true) {
            String where = CdcColumns.DELETED + " = 0";
            if (after != null) {
                StringJoiner last = new StringJoiner(", ");
                for (int i = 0; i < keyColumns.size(); i++) {
                    last.add("CAST(" + SqlText.literal(after.get(i)) + " AS " + columns.get(keyColumns.get(i)) + ")");
                }
                where += " AND (" + order + ") > (" + last + ")";
            }
            String sql = "SELECT " + keyText(key) + ", " + String.join(", ", select) + " FROM " + table
                    + " FINAL WHERE " + where + " ORDER BY " + order + " LIMIT " + batchSize + " FORMAT TabSeparated";
            List<String[]> rows = backoff.call("scan of " + table, () -> connection.queryRows(sql), retries);
            if (rows.isEmpty()) {
                return;
            }
            pages.accept(rows);
            if (rows.size() < batchSize) {
                return;
            }
            after = Arrays.asList(rows.get(rows.size() - 1)).subList(0, keyColumns.size()); // values may be null
        }
    }

    @Override
    public List<Row> liveRows(String table, KeyColumns key, List<List<String>> keys) {
        if (keys.isEmpty() || tables.columnsOf(table).isEmpty()) {
            return List.of();
        }
        return rows("SELECT " + keyText(key) + ", " + CdcColumns.VERSION + " FROM " + table + " FINAL WHERE "
                + CdcColumns.DELETED + " = 0 AND (" + keyText(key) + ") IN (" + keyList(keys) + ") FORMAT TabSeparated",
                key.size());
    }

    @Override
    public long liveCount(String table) {
        if (tables.columnsOf(table).isEmpty()) {
            return 0;
        }
        String sql = "SELECT count() FROM " + table + " FINAL WHERE " + CdcColumns.DELETED + " = 0 FORMAT TabSeparated";
        return Long.parseLong(backoff.call("count of " + table, () -> connection.queryRows(sql), retries).get(0)[0]);
    }

    private static String keyList(List<List<String>> keys) {
        StringJoiner values = new StringJoiner(", ");
        for (List<String> k : keys) {
            StringJoiner value = new StringJoiner(", ", "(", ")");
            k.forEach(v -> value.add(SqlText.literal(v)));
            values.add(value.toString());
        }
        return values.toString();
    }

    private static String keyText(KeyColumns key) {
        StringJoiner text = new StringJoiner(", ");
        key.names().forEach(column -> text.add("toString(" + SqlText.identifier(column) + ")"));
        return text.toString();
    }

    /** Rows of key text cells followed by the version. */
    private List<Row> rows(String sql, int keySize) {
        List<String[]> answer = backoff.call("query of " + sql, () -> connection.queryRows(sql), retries);
        List<Row> rows = new ArrayList<>(answer.size());
        for (String[] cells : answer) {
            rows.add(new Row(List.of(cells).subList(0, keySize), Long.parseUnsignedLong(cells[keySize]), null));
        }
        return rows;
    }

    @Override
    public long removeAt(String table, KeyColumns key, List<Row> rows) {
        Map<String, String> columns = tables.columnsOf(table);
        if (columns.isEmpty() || rows.isEmpty()) {
            return 0;
        }
        String tuple = "(" + keyText(key) + ", " + CdcColumns.VERSION + ")";
        StringJoiner values = new StringJoiner(", ");
        for (Row row : rows) {
            StringJoiner value = new StringJoiner(", ", "(", ")");
            row.key().forEach(k -> value.add(SqlText.literal(k)));
            value.add("toUInt64(" + Long.toUnsignedString(row.version()) + ")");
            values.add(value.toString());
        }
        String still = " FROM " + table + " FINAL WHERE " + CdcColumns.DELETED + " = 0 AND " + tuple + " IN ("
                + values + ")";
        long count = Long.parseLong(backoff.call("count of strays in " + table,
                () -> connection.queryRows("SELECT count()" + still + " FORMAT TabSeparated"), retries).get(0)[0]);
        if (count > 0) {
            String insert = CdcColumns.markerCopy(table, columns, CdcColumns.VERSION + " + 1", still);
            backoff.run("removal of strays from " + table, () -> connection.execute(insert), retries);
        }
        return count;
    }
}
