package io.cdcpipeline.embedded;

import io.cdcpipeline.core.consistency.CatchUp;
import io.cdcpipeline.core.position.Lsn;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.core.position.SourceOffset;
import io.cdcpipeline.embedded.position.PositionFile;
import io.cdcpipeline.embedded.position.StartGuard;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The embedded runner's "complete up to": Postgres's WAL position is noted, a mark is written after it (a row of the
 * signal table with Debezium's {@code log} action, which only logs), and the wait ends when the runner's position
 * file has passed the noted position. The runner stores a position only once every sink has flushed the changes
 * before it, and Debezium hands changes on in commit order, so every change committed before the call is then in
 * every copy. It needs the signal table: nothing else is sure to move the position past a noted one (Debezium's
 * heartbeats do not while the captured tables are idle).
 */
final class PositionCatchUp implements CatchUp {

    private final Map<String, String> source;
    private final Path positionFile;
    private final String engineName;
    private final String signalTable;
    private final Duration timeout;

    PositionCatchUp(Map<String, String> source, Path positionFile, String engineName, Duration timeout) {
        this.source = source;
        this.positionFile = positionFile;
        this.engineName = engineName;
        String signals = source.get("signal.data.collection");
        this.signalTable = signals == null || signals.isBlank() ? null : signals;
        this.timeout = timeout;
    }

    @Override
    public String await() throws InterruptedException {
        long noted;
        String mark = "cdc-validate-mark-" + UUID.randomUUID();
        try (Connection db = SourceDatabase.connect(source)) {
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                noted = Lsn.parse(rs.getString(1));
            }
            if (signalTable != null) {
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + signalTable
                        + " (id, type, data) VALUES (?, 'log', ?)")) {
                    insert.setString(1, mark);
                    insert.setString(2, "{\"message\": \"bin/cdc validate waits for the sinks to pass this mark\"}");
                    insert.executeUpdate();
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Long stored = storedLsn();
                if (stored != null && stored > noted) {
                    removeMark(db, mark);
                    return "the runner's position passed " + Lsn.format(noted) + " (every sink holds what was "
                            + "committed before it)";
                }
                Thread.sleep(200);
            }
            removeMark(db, mark);
            return "the runner's position did not pass " + Lsn.format(noted) + " within " + timeout.toSeconds()
                    + " s (is the runner running?); settled by time";
        } catch (SQLException e) {
            return "cannot note Postgres's position (" + e.getMessage() + "); settled by time";
        }
    }

    private Long storedLsn() {
        PositionFile.Stored stored = PositionFile.read(positionFile);
        SourceOffset offset = stored == null ? null : StartGuard.offsetOf(stored, engineName);
        if (offset == null) {
            return null;
        }
        long max = Long.MIN_VALUE;
        for (Long lsn : new Long[] {offset.lsn(), offset.lsnProc(), offset.lsnCommit()}) {
            if (lsn != null) {
                max = Math.max(max, lsn);
            }
        }
        return max == Long.MIN_VALUE ? null : max;
    }

    private void removeMark(Connection db, String mark) throws SQLException {
        if (signalTable != null) {
            try (PreparedStatement delete = db.prepareStatement("DELETE FROM " + signalTable + " WHERE id = ?")) {
                delete.setString(1, mark);
                delete.executeUpdate();
            }
        }
    }
}
