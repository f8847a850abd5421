package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The replication slot Debezium reads: how much WAL it makes Postgres keep (against {@code restart_lsn}) and how
 * much its consumer has not confirmed yet (against {@code confirmed_flush_lsn}), whether a consumer is attached,
 * and {@code wal_status} (reserved, extended, unreserved, lost).
 */
public final class SlotProbe {

    /** One reading; {@code exists} false when the slot is missing (dropped, or not created yet). */
    public record SlotState(boolean exists, boolean active, long retainedBytes, long unconfirmedBytes, String walStatus) {
    }

    private final MonitorConfig.Postgres postgres;

    public SlotProbe(MonitorConfig.Postgres postgres) {
        this.postgres = postgres;
    }

    public SlotState read() throws SQLException {
        try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             PreparedStatement st = connection.prepareStatement("""
                     SELECT active,
                            coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint,
                            coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint,
                            coalesce(wal_status, 'unknown')
                     FROM pg_replication_slots WHERE slot_name = ?""")) {
            st.setString(1, postgres.slot());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return new SlotState(false, false, 0, 0, "missing");
                }
                return new SlotState(true, rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getString(4));
            }
        }
    }
}
