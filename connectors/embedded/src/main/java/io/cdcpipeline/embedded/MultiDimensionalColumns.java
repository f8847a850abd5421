package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.capture.CapturedTables;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.debezium.MultiDimensionalArrays;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Has Debezium convert the captured columns declared with two or more dimensions ({@code integer[][]}) with {@link
 * MultiDimensionalArrays}, which keeps every dimension as JSON text; Debezium alone would send each inner array as
 * NULL. The converter gets the source database and finds the columns in its catalog whenever Debezium builds a
 * table's schema, so a column added while the runner runs is converted from its first row; those found at start are
 * logged. Postgres does not enforce a declared dimension count, so a column declared {@code integer[]} that holds
 * two-dimensional values is not found: declare it with its dimensions, or list it in the converter's settings.
 */
final class MultiDimensionalColumns {

    static final String CONVERTER = "cdcmultidim";
    private static final Logger LOG = LoggerFactory.getLogger(MultiDimensionalColumns.class);

    private MultiDimensionalColumns() {
    }

    /** Adds the converter to the engine's properties, unless the source configures it. */
    static void configure(Connection db, Map<String, String> source, Properties props) throws SQLException {
        String converters = source.getOrDefault("converters", "");
        if (source.values().stream().anyMatch(MultiDimensionalArrays.class.getName()::equals)) {
            return; // set up by hand
        }
        CapturedTables captured = CapturedTables.of(source);
        List<String> columns = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname, a.attname "
                + "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE a.attndims > 1 AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') "
                + "ORDER BY 1, 2, a.attnum")) {
            while (rs.next()) {
                if (captured.captures(new TableId(rs.getString(1), rs.getString(2)))) {
                    columns.add(rs.getString(1) + "." + rs.getString(2) + "." + rs.getString(3));
                }
            }
        }
        props.setProperty("converters", converters.isBlank() ? CONVERTER : converters + "," + CONVERTER);
        props.setProperty(CONVERTER + ".type", MultiDimensionalArrays.class.getName());
        props.setProperty(CONVERTER + "." + MultiDimensionalArrays.DATABASE_URL, SourceDatabase.url(source));
        props.setProperty(CONVERTER + "." + MultiDimensionalArrays.DATABASE_USER, source.getOrDefault("database.user", ""));
        props.setProperty(CONVERTER + "." + MultiDimensionalArrays.DATABASE_PASSWORD,
                source.getOrDefault("database.password", ""));
        if (columns.isEmpty()) {
            return;
        }
        LOG.info("Multi-dimensional array columns {} are sent as JSON text (Debezium alone would lose their inner "
                + "arrays)", columns);
    }
}
