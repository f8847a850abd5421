package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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

    /**
     * Streams every key of the table as text, {@code batchSize} at a time, through a cursor (memory does not grow
     * with the table). Runs in a read-only transaction of its own on this connection.
     */
    public void scanKeys(TableId table, KeyColumns columns, int batchSize, Consumer<List<List<String>>> batches)
            throws SQLException {
        StringJoiner select = new StringJoiner(", ");
        columns.names().forEach(column -> select.add(identifier(column) + "::text"));
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false); // the driver uses a cursor only inside a transaction
        try (Statement st = connection.createStatement()) {
            st.setFetchSize(batchSize);
            try (ResultSet rs = st.executeQuery("SELECT " + select + " FROM " + quoted(table))) {
                List<List<String>> batch = new ArrayList<>(batchSize);
                while (rs.next()) {
                    List<String> key = new ArrayList<>(columns.size());
                    for (int c = 1; c <= columns.size(); c++) {
                        key.add(rs.getString(c));
                    }
                    batch.add(key);
                    if (batch.size() == batchSize) {
                        batches.accept(batch);
                        batch = new ArrayList<>(batchSize);
                    }
                }
                if (!batch.isEmpty()) {
                    batches.accept(batch);
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The keys among {@code keys} (text, one value per key column) that the table has now. */
    public Set<List<String>> existing(TableId table, KeyColumns columns, List<List<String>> keys) throws SQLException {
        if (keys.isEmpty()) {
            return Set.of();
        }
        List<String> keyColumns = columns.names();
        Map<String, String> types = keyTypes(table, keyColumns);
        StringJoiner select = new StringJoiner(", ");
        StringJoiner tuple = new StringJoiner(", ");
        StringJoiner arrays = new StringJoiner(", ");
        for (String column : keyColumns) {
            select.add(identifier(column) + "::text");
            tuple.add(identifier(column));
            arrays.add("?::" + types.get(column) + "[]");
        }
        String sql = "SELECT " + select + " FROM " + quoted(table) + " WHERE (" + tuple + ") IN (SELECT * FROM unnest("
                + arrays + "))";
        Set<List<String>> found = new HashSet<>();
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int c = 0; c < keyColumns.size(); c++) {
                String[] values = new String[keys.size()];
                for (int k = 0; k < keys.size(); k++) {
                    values[k] = keys.get(k).get(c);
                }
                Array array = connection.createArrayOf("text", values);
                st.setArray(c + 1, array);
            }
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

    private Map<String, String> keyTypes(TableId table, List<String> keyColumns) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT a.attname, t.typname FROM pg_attribute a "
                + "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 "
                + "AND NOT a.attisdropped")) {
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
