package io.cdcpipeline.core.capture;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.core.snapshot.SignalTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tables created while the pipeline runs (or while it was stopped) that the source's include list captures: Debezium
 * fills a {@code filtered} publication only when it starts, so such a table's changes would never arrive. Each check
 * adds every captured table missing from the publication to it; once the table's first change has streamed by (so
 * Debezium knows its columns) an incremental snapshot of it is asked for through the signal table, so its rows
 * written before it was published arrive too. A table streamed before that has been taken out of the publication by
 * hand is added back and snapshotted at once, with a warning that rows updated meanwhile need {@code bin/cdc validate
 * --repair}; a table that cannot be added (the user may not alter the publication) is reported once, with the
 * statement to run.
 */
public final class NewTables {

    private static final Logger LOG = LoggerFactory.getLogger(NewTables.class);

    private final Map<String, String> source;
    private final CapturedTables captured;
    private final String publication;
    private final SignalTable signals;
    /** Captured tables already published (or handled), so each new one is handled once. */
    private final Set<TableId> known = new HashSet<>();
    private final Set<TableId> reported = new HashSet<>();
    /**
     * New tables whose snapshot waits for their first streamed change: Debezium 3.6 cannot snapshot a table it has
     * not seen (its schema refresh for an unknown table fails), and it learns a table from its first change.
     */
    private final Set<TableId> awaitingChange = ConcurrentHashMap.newKeySet();
    private final Set<TableId> changed = ConcurrentHashMap.newKeySet();

    private NewTables(Map<String, String> source, SignalTable signals) {
        this.source = source;
        this.captured = CapturedTables.of(source);
        this.publication = source.getOrDefault("publication.name", "dbz_publication");
        this.signals = signals;
    }

    /**
     * The watcher of a source, knowing the tables its publication holds now (read before the engine starts, so
     * that a table created while the runner was stopped is found new at the first check). Before the first start
     * there is no publication: the engine's initial snapshot covers every table captured then.
     */
    public static NewTables start(Connection db, Map<String, String> source) throws SQLException {
        String signalTable = source.get("signal.data.collection");
        NewTables tables = new NewTables(source, signalTable == null || signalTable.isBlank() ? null
                : new SignalTable(signalTable));
        tables.known.addAll(tables.publicationExists(db) ? tables.published(db) : tables.capturedTables(db));
        return tables;
    }

    private boolean publicationExists(Connection db) throws SQLException {
        try (PreparedStatement st = db.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether any new table waits for its first change ({@link #changed}); cheap, for the engine thread. */
    public boolean awaitingChanges() {
        return !awaitingChange.isEmpty();
    }

    /** A change of {@code table} streamed by: if it is a new table, its snapshot is requested at the next check. */
    public void changed(TableId table) {
        if (awaitingChange.remove(table)) {
            this.changed.add(table);
        }
    }

    /** One check: new captured tables published, and those that have changed since snapshotted. */
    public void check() {
        try (Connection db = SourceDatabase.connect(source)) {
            Set<TableId> published = published(db); // Debezium itself adds tables new since the last run at start
            for (TableId table : capturedTables(db)) {
                boolean streamedBefore = known.contains(table);
                if (streamedBefore && published.contains(table)) {
                    continue;
                }
                if (!published.contains(table) && !publish(db, table)) {
                    continue;
                }
                known.add(table);
                if (streamedBefore) {
                    // Taken out of the publication by hand: its changes since were never decoded.
                    LOG.warn("Table {} is captured but was removed from publication {}: added back; the changes made "
                            + "while it was out did not stream, so {}", table, publication, signals == null
                            ? "its copies miss them: set signal.data.collection to have it snapshotted again, or run "
                                    + "bin/cdc snapshot --table " + table
                            : "its rows are snapshotted again: rows inserted or deleted meanwhile are put right; "
                                    + "rows updated meanwhile are not (a snapshot read never replaces a row a copy "
                                    + "has): run bin/cdc validate --repair --table " + table);
                    if (signals != null) {
                        changed.add(table); // Debezium knows its schema already: no need to wait for a change
                    }
                } else if (signals == null) {
                    LOG.warn("New table {} is captured from now on; its existing rows are not copied: set "
                            + "signal.data.collection (a signal table) to have new tables snapshotted", table);
                } else {
                    awaitingChange.add(table);
                    LOG.info("New table {} matches the include list: added to publication {}; its existing rows "
                            + "follow by an incremental snapshot once Debezium has seen the table change", table,
                            publication);
                }
            }
            for (TableId table : changed) {
                changed.remove(table);
                String id = signals.executeSnapshot(db, table, null, "new-table");
                LOG.info("New table {}: incremental snapshot of its rows requested (signal {})", table, id);
            }
        } catch (SQLException e) {
            LOG.warn("Could not check the source for new tables: {}", e.getMessage());
        }
    }

    private boolean publish(Connection db, TableId table) {
        String statement = "ALTER PUBLICATION " + quote(publication) + " ADD TABLE " + quote(table.schema()) + "."
                + quote(table.table());
        try (Statement st = db.createStatement()) {
            st.execute(statement);
            return true;
        } catch (SQLException e) {
            if (reported.add(table)) {
                LOG.error("New table {} matches the include list but cannot be added to publication {} ({}): its "
                        + "changes do not arrive until the source's user may run, or someone runs: {}", table,
                        publication, e.getMessage(), statement);
            }
            return false;
        }
    }

    private Set<TableId> published(Connection db) throws SQLException {
        Set<TableId> tables = new HashSet<>();
        try (PreparedStatement st = db.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    private Set<TableId> capturedTables(Connection db) throws SQLException {
        Set<TableId> tables = new LinkedHashSet<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1, 2""")) {
            while (rs.next()) {
                TableId table = new TableId(rs.getString(1), rs.getString(2));
                if (captured.captures(table)) {
                    tables.add(table);
                }
            }
        }
        return tables;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
