package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Asks Postgres, the source of truth, which of a set of keys a table still has. Keys travel as text, in the form
 * both sinks store them (ClickHouse's {@code toString}, Elasticsearch's document id), and are cast to the column's
 * type in the query, so the primary-key index answers. Only key columns whose text form is the same in Postgres and
 * in both sinks are supported: {@code smallint}, {@code integer}, {@code bigint}, {@code text}, {@code varchar},
 * {@code uuid}. Other key types are refused with {@link UnsupportedKeyException}, never guessed at.
 */
public final class SourceKeys {

    /** A key column type whose values could not be compared faithfully as text. */
    public static final class UnsupportedKeyException extends RuntimeException {
        UnsupportedKeyException(String message) {
            super(message);
        }
    }

    private static final Set<String> NUMERIC = Set.of("int2", "int4", "int8");
    private static final Set<String> SUPPORTED = Set.of("int2", "int4", "int8", "text", "varchar", "uuid");

    private final Connection connection;

    public SourceKeys(Connection connection) {
        this.connection = connection;
    }

    /** Checksums of the same tables, computed by Postgres. */
    public SourceChecksums checksums() {
        return new SourceChecksums(connection);
    }

    /** The table's primary-key columns in key order; empty when it has none (or does not exist). */
    public List<String> primaryKey(TableId table) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("""
                SELECT a.attname FROM pg_index i
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = to_regclass(?) AND i.indisprimary
                ORDER BY array_position(i.indkey::int2[], a.attnum)""")) {
            st.setString(1, quoted(table));
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
            return columns;
        }
    }

    /**
     * The key columns named, checked: each a column of the table, of a type compared faithfully as text (else
     * {@link UnsupportedKeyException} naming the column and its type).
     */
    public KeyColumns keyColumns(TableId table, List<String> names) throws SQLException {
        Map<String, String> types = keyTypes(table, names);
        List<Boolean> numeric = new ArrayList<>();
        for (String name : names) {
            numeric.add(NUMERIC.contains(types.get(name)));
        }
        return new KeyColumns(names, numeric);
    }

    /** How many rows the table has. */
    public long count(TableId table) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + quoted(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of the table that differ in some column (a table without a key is copied as its distinct rows). */
    public long countDistinct(TableId table) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM (SELECT DISTINCT t::text FROM " + quoted(table) + " t) d")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Streams the rows of {@code keys} again through the pipeline: a no-op {@code UPDATE} (the first key column set
     * to itself), which Postgres writes to the WAL as a change with a new LSN, so every sink receives the current row
     * with a version above whatever it holds. This writes to the source (triggers fire, the rows get new tuple
     * versions); it is how a repair corrects a row a snapshot read (version 0) cannot replace. Returns the rows
     * updated.
     */
    public int resend(TableId table, KeyColumns key, List<List<String>> keys) throws SQLException {
        if (keys.isEmpty()) {
            return 0;
        }
        String first = identifier(key.names().get(0));
        try (PreparedStatement st = connection.prepareStatement("UPDATE " + quoted(table) + " SET " + first + " = "
                + first + " WHERE " + keyIn(table, key))) {
            bindKeys(st, key, keys);
            return st.executeUpdate();
        }
    }

    /** The keys of up to {@code n} rows picked at random (a light check's sample). */
    public List<List<String>> sampleKeys(TableId table, KeyColumns key, int n) throws SQLException {
        StringJoiner select = new StringJoiner(", ");
        key.names().forEach(column -> select.add(identifier(column) + "::text"));
        List<List<String>> keys = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT " + select + " FROM " + quoted(table)
                + " ORDER BY random() LIMIT ?")) {
            st.setInt(1, n);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    List<String> k = new ArrayList<>(key.size());
                    for (int c = 1; c <= key.size(); c++) {
                        k.add(rs.getString(c));
                    }
                    keys.add(k);
                }
            }
        }
        return keys;
    }

    /** The keys among {@code keys} (text, one value per key column) that the table has now. */
    public Set<List<String>> existing(TableId table, KeyColumns columns, List<List<String>> keys) throws SQLException {
        if (keys.isEmpty()) {
            return Set.of();
        }
        List<String> keyColumns = columns.names();
        StringJoiner select = new StringJoiner(", ");
        keyColumns.forEach(column -> select.add(identifier(column) + "::text"));
        String sql = "SELECT " + select + " FROM " + quoted(table) + " WHERE " + keyIn(table, columns);
        Set<List<String>> found = new HashSet<>();
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            bindKeys(st, columns, keys);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    List<String> key = new ArrayList<>(keyColumns.size());
                    for (int c = 1; c <= keyColumns.size(); c++) {
                        key.add(rs.getString(c));
                    }
                    found.add(key);
                }
            }
        }
        return found;
    }

    /** The table's columns in order, each with its type's name ({@code pg_type.typname}). */
    public Map<String, String> columnTypes(TableId table) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT a.attname, t.typname FROM pg_attribute a "
                + "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 "
                + "AND NOT a.attisdropped ORDER BY a.attnum")) {
            st.setString(1, quoted(table));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    types.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        if (types.isEmpty()) {
            throw new SQLException("table " + table + " does not exist in the source database");
        }
        return types;
    }

    /**
     * Streams every row's key and the columns' values as text ({@link ColumnKind#sourceExpression}), {@code batchSize}
     * rows at a time, through a cursor.
     */
    public void scanRows(TableId table, KeyColumns key, List<String> columns, List<ColumnKind> kinds, int batchSize,
            Consumer<List<TargetValues.ValuedRow>> batches) throws SQLException {
        String sql = "SELECT " + rowSelect(key, columns, kinds) + " FROM " + quoted(table);
        SourceCursor.stream(connection, sql, batchSize, rs -> valuedRow(rs, key.size(), columns.size()), batches);
    }

    /** The columns' values as text of the rows among {@code keys}, by key. */
    public Map<List<String>, List<String>> rows(TableId table, KeyColumns key, List<String> columns,
            List<ColumnKind> kinds, List<List<String>> keys) throws SQLException {
        Map<List<String>, List<String>> rows = new HashMap<>();
        if (keys.isEmpty()) {
            return rows;
        }
        String sql = "SELECT " + rowSelect(key, columns, kinds) + " FROM " + quoted(table) + " WHERE "
                + keyIn(table, key);
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            bindKeys(st, key, keys);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    TargetValues.ValuedRow row = valuedRow(rs, key.size(), columns.size());
                    rows.put(row.key(), row.values());
                }
            }
        }
        return rows;
    }

    private static String rowSelect(KeyColumns key, List<String> columns, List<ColumnKind> kinds) {
        StringJoiner select = new StringJoiner(", ");
        key.names().forEach(column -> select.add(identifier(column) + "::text"));
        for (int i = 0; i < columns.size(); i++) {
            select.add(kinds.get(i).sourceExpression(identifier(columns.get(i))));
        }
        return select.toString();
    }

    private static TargetValues.ValuedRow valuedRow(ResultSet rs, int keySize, int columnCount) throws SQLException {
        List<String> key = new ArrayList<>(keySize);
        for (int c = 1; c <= keySize; c++) {
            key.add(rs.getString(c));
        }
        List<String> values = new ArrayList<>(columnCount);
        for (int c = keySize + 1; c <= keySize + columnCount; c++) {
            values.add(rs.getString(c));
        }
        return new TargetValues.ValuedRow(key, values);
    }

    /** {@code (k1, k2) IN (SELECT * FROM unnest(?::t1[], ?::t2[]))}, bound by {@link #bindKeys}. */
    private String keyIn(TableId table, KeyColumns key) throws SQLException {
        Map<String, String> types = keyTypes(table, key.names());
        StringJoiner tuple = new StringJoiner(", ");
        StringJoiner arrays = new StringJoiner(", ");
        for (String column : key.names()) {
            tuple.add(identifier(column));
            arrays.add("?::" + types.get(column) + "[]");
        }
        return "(" + tuple + ") IN (SELECT * FROM unnest(" + arrays + "))";
    }

    private void bindKeys(PreparedStatement st, KeyColumns key, List<List<String>> keys) throws SQLException {
        for (int c = 0; c < key.size(); c++) {
            String[] values = new String[keys.size()];
            for (int k = 0; k < keys.size(); k++) {
                values[k] = keys.get(k).get(c);
            }
            st.setArray(c + 1, connection.createArrayOf("text", values));
        }
    }

    private Map<String, String> keyTypes(TableId table, List<String> keyColumns) throws SQLException {
        Map<String, String> types = columnTypes(table);
        Map<String, String> keyTypes = new LinkedHashMap<>();
        for (String column : keyColumns) {
            String type = types.get(column);
            if (type == null) {
                throw new UnsupportedKeyException("key column " + column + " is not a column of " + table
                        + " in the source database (renamed by a transform?)");
            }
            if (!SUPPORTED.contains(type)) {
                throw new UnsupportedKeyException("key column " + column + " of " + table + " has type " + type
                        + "; keys are checked for smallint, integer, bigint, text, varchar and uuid columns only");
            }
            keyTypes.put(column, type);
        }
        return keyTypes;
    }

    private static String quoted(TableId table) {
        return identifier(table.schema()) + "." + identifier(table.table());
    }

    private static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
