package io.cdcpipeline.debezium;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The array columns Postgres's catalog declares with two or more dimensions ({@code pg_attribute.attndims}), read
 * per table when Debezium asks about one of its array columns and read again when it asks about a column the last
 * read did not know (a column added since). Debezium builds schemas on its own thread, one table at a time.
 */
final class DeclaredDimensions {

    private final String url;
    private final Properties credentials = new Properties();
    /** schema.table to its array columns and whether each has more than one dimension. */
    private final Map<String, Map<String, Boolean>> tables = new HashMap<>();

    DeclaredDimensions(String url, String user, String password) {
        this.url = url;
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
    }

    /** Whether schema.table.column is declared with two or more dimensions. */
    boolean isMultiDimensional(String qualifiedColumn) {
        int dot = qualifiedColumn.lastIndexOf('.');
        String table = qualifiedColumn.substring(0, dot);
        String column = qualifiedColumn.substring(dot + 1);
        Map<String, Boolean> known = tables.get(table);
        if (known == null || !known.containsKey(column)) {
            known = read(table);
            tables.put(table, known);
        }
        return known.getOrDefault(column, false);
    }

    private Map<String, Boolean> read(String table) {
        int dot = table.indexOf('.');
        Map<String, Boolean> arrays = new HashMap<>();
        try (Connection db = DriverManager.getConnection(url, credentials);
                PreparedStatement st = db.prepareStatement("SELECT a.attname, a.attndims FROM pg_attribute a "
                        + "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped "
                        + "AND a.attndims > 0")) {
            st.setString(1, table.substring(0, dot));
            st.setString(2, table.substring(dot + 1));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    arrays.put(rs.getString(1), rs.getInt(2) > 1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the multi-dimensional array converter could not read the declared "
                    + "dimensions of " + table + "'s columns at " + url + ": " + e.getMessage(), e);
        }
        return arrays;
    }
}
