package io.cdcpipeline.core.position;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A logical replication slot as {@code pg_replication_slots} shows it. The slot is Postgres's record of how far the
 * connector has confirmed the stream: it never hands out changes before {@code confirmed_flush_lsn} again.
 *
 * @param name              the slot's name
 * @param exists            false when there is no such slot (never created, dropped)
 * @param database          the database it decodes
 * @param confirmedFlushLsn the position the consumer confirmed last; null if none
 * @param walStatus         {@code reserved}, {@code extended}, {@code unreserved} or {@code lost} (invalidated: the
 *                          WAL it needs is gone)
 */
public record ReplicationSlot(String name, boolean exists, String database, Long confirmedFlushLsn, String walStatus) {

    public static ReplicationSlot missing(String name) {
        return new ReplicationSlot(name, false, null, null, null);
    }

    /** Reads the slot named {@code name}; a missing slot is returned with {@code exists} false. */
    public static ReplicationSlot read(Connection connection, String name) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT database, confirmed_flush_lsn::text, "
                + "coalesce(wal_status, 'unknown') FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return missing(name);
                }
                return new ReplicationSlot(name, true, rs.getString(1), Lsn.parse(rs.getString(2)), rs.getString(3));
            }
        }
    }

    /** Whether Postgres can still stream from it: it exists and its WAL was not removed. */
    public boolean usable() {
        return exists && !"lost".equals(walStatus);
    }
}
