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

    /**
     * One reading; {@code exists} false when the slot is missing (dropped, or not created yet). {@code limitBytes} is
     * the WAL it may keep before it counts as in trouble (see {@link MonitorConfig.Postgres#slotRetainedLimit()}).
     */
    public record SlotState(boolean exists, boolean active, long retainedBytes, long unconfirmedBytes, String walStatus,
            long limitBytes) {

        public SlotState(boolean exists, boolean active, long retainedBytes, long unconfirmedBytes, String walStatus) {
            this(exists, active, retainedBytes, unconfirmedBytes, walStatus, Long.MAX_VALUE);
        }

        /** Why the slot is in trouble (changes at risk of being lost, or the source disk filling), or null. */
        public String trouble(String slot) {
            if (!exists) {
                return "replication slot " + slot + " is missing (dropped?): the connector cannot resume where it "
                        + "stopped; it needs a new snapshot, then a consistency check (bin/cdc validate)";
            }
            if ("lost".equals(walStatus)) {
                return "replication slot " + slot + " lost WAL it still needed (max_slot_wal_keep_size exceeded): "
                        + "changes are lost; take a new snapshot, then run a consistency check (bin/cdc validate)";
            }
            if ("unreserved".equals(walStatus)) {
                return "replication slot " + slot + " keeps more WAL than max_slot_wal_keep_size allows: Postgres "
                        + "will drop it at the next checkpoint unless the connector catches up now";
            }
            if (retainedBytes > limitBytes) {
                return "replication slot " + slot + " keeps " + (retainedBytes >> 20) + " MB of WAL, above its limit of "
                        + (limitBytes >> 20) + " MB (postgres.slot.retained.limit): is its connector stopped or "
                        + "behind?";
            }
            return null;
        }
    }

    private final MonitorConfig.Postgres postgres;

    public SlotProbe(MonitorConfig.Postgres postgres) {
        this.postgres = postgres;
    }

    /**
     * The retained-WAL limit: as configured, else half of {@code max_slot_wal_keep_size} (in MB, -1 unlimited), so the
     * alert comes while there is time to act, else {@value MonitorConfig#DEFAULT_RETAINED_LIMIT_GB} GB.
     */
    static long limit(long configured, long maxSlotWalKeepSizeMb) {
        if (configured > 0) {
            return configured;
        }
        return maxSlotWalKeepSizeMb > 0 ? (maxSlotWalKeepSizeMb << 20) / 2
                : (long) MonitorConfig.DEFAULT_RETAINED_LIMIT_GB << 30;
    }

    public SlotState read() throws SQLException {
        try (Connection connection = DriverManager.getConnection(postgres.url(), postgres.user(), postgres.password());
             PreparedStatement st = connection.prepareStatement("""
                     SELECT s.active,
                            coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn), 0)::bigint,
                            coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn), 0)::bigint,
                            coalesce(s.wal_status, 'unknown'),
                            k.setting::bigint,
                            s.slot_name IS NOT NULL
                     FROM pg_settings k LEFT JOIN pg_replication_slots s ON s.slot_name = ?
                     WHERE k.name = 'max_slot_wal_keep_size'""")) {
            st.setString(1, postgres.slot());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                long limit = limit(postgres.slotRetainedLimit(), rs.getLong(5));
                if (!rs.getBoolean(6)) {
                    return new SlotState(false, false, 0, 0, "missing", limit);
                }
                return new SlotState(true, rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getString(4), limit);
            }
        }
    }
}
