package io.cdcpipeline.embedded;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the source Postgres must offer before the engine starts, checked first so that a server that cannot stream
 * is refused with the remedy, before anything is written (Debezium would otherwise fail later, creating its slot,
 * with a bare server message).
 */
final class SourceReadiness {

    private SourceReadiness() {
    }

    /** @throws SourceNotReadyException naming the setting and the remedy */
    static void check(Connection db) throws SQLException {
        String walLevel = setting(db, "wal_level");
        if (!"logical".equals(walLevel)) {
            throw new SourceNotReadyException("the source Postgres has wal_level=" + walLevel + ", and changes are read "
                    + "by logical decoding, which needs wal_level=logical: run ALTER SYSTEM SET wal_level = logical, "
                    + "restart Postgres, then start the runner again (nothing was started)");
        }
        int slots = Integer.parseInt(setting(db, "max_replication_slots"));
        if (slots == 0) {
            throw new SourceNotReadyException("the source Postgres has max_replication_slots=0, and the runner needs a "
                    + "replication slot: raise it (ALTER SYSTEM SET max_replication_slots = 10), restart Postgres, "
                    + "then start the runner again (nothing was started)");
        }
    }

    private static String setting(Connection db, String name) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
