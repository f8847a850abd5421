package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.capture.CapturedTables;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The captured tables without a primary key, read from the catalog once at start, each announced in one line: the
 * sinks key such rows by their content (see docs/clickhouse-sink.md), which follows updates and deletes only under
 * REPLICA IDENTITY FULL. Nothing about them is left to be found out one record at a time.
 */
public final class KeylessTables {

    private static final Logger LOG = LoggerFactory.getLogger(KeylessTables.class);

    /** A captured table without a primary key, and whether Debezium sends its whole old rows. */
    public record Keyless(TableId table, boolean replicaIdentityFull) {
    }

    private KeylessTables() {
    }

    /** The keyless tables among those {@code source} (a Debezium Postgres config) captures; each logged. */
    static List<Keyless> announce(Connection db, Map<String, String> source) throws SQLException {
        CapturedTables captured = CapturedTables.of(source);
        String keyColumns = source.getOrDefault("message.key.columns", "");
        List<Keyless> keyless = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT n.nspname, c.relname, c.relreplident = 'f'
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
                ORDER BY 1, 2""")) {
            while (rs.next()) {
                TableId table = new TableId(rs.getString(1), rs.getString(2));
                String name = table.schema() + "." + table.table();
                if (captured.captures(table) && !keyColumns.contains(name + ":")) {
                    keyless.add(new Keyless(table, rs.getBoolean(3)));
                }
            }
        }
        for (Keyless k : keyless) {
            LOG.info("{} has no primary key: each sink keys its rows by their content (rows equal in every column are "
                    + "one row in the copies); {}", k.table(), k.replicaIdentityFull()
                    ? "REPLICA IDENTITY FULL: updates and deletes are applied to the row they change"
                    : "without REPLICA IDENTITY FULL Postgres sends no old rows, so only inserts are copied exactly "
                            + "(ALTER TABLE " + k.table() + " REPLICA IDENTITY FULL, or a primary key, for the rest)");
        }
        return keyless;
    }
}
