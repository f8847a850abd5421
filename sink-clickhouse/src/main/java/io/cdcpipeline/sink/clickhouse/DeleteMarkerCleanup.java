package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.dialect.ModernDialect;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removal of delete markers for good (setting {@code delete.markers.cleanup}): the table settings that let
 * ClickHouse drop the rows of deleted keys in CLEANUP merges of {@code ReplacingMergeTree(version, is_deleted)},
 * chosen by what the server has (the settings came in 23.12 and 24.x); a warning where it has none of them.
 */
final class DeleteMarkerCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(DeleteMarkerCleanup.class);
    static final String ALLOW = "allow_experimental_replacing_merge_with_cleanup";
    static final String AUTOMATIC = "enable_replacing_merge_with_cleanup_for_min_age_to_force_merge";

    private final ClickHouseSinkConfig config;
    private final ClickHouseConnection connection;
    private final Function<String, List<String[]>> query;
    private Set<String> serverSettings;

    DeleteMarkerCleanup(ClickHouseSinkConfig config, ClickHouseConnection connection,
            Function<String, List<String[]>> query) {
        this.config = config;
        this.connection = connection;
        this.query = query;
    }

    /** The SETTINGS of a table the sink creates, for the clean-up; empty when it is off or the server has none. */
    List<String> tableSettings(String table) {
        if (!config.cleansDeleteMarkers()) {
            return List.of();
        }
        Set<String> known = serverSettings();
        if (!known.contains(ALLOW)) {
            LOG.warn("{} is on, but ClickHouse {} has no CLEANUP merges ({}, 23.12 and later): the delete markers of "
                    + "{} stay (the current-state view hides them). To remove them, run OPTIMIZE TABLE {} FINAL, then "
                    + "ALTER TABLE {} DELETE WHERE _cdc_deleted = 1 (docs/events.md says what it costs)",
                    ClickHouseSinkConfig.DELETE_MARKER_CLEANUP, connection.version(), ALLOW, table, table, table);
            return List.of();
        }
        List<String> settings = new ArrayList<>(List.of(ALLOW + " = 1"));
        if (known.contains(AUTOMATIC)) {
            settings.add("min_age_to_force_merge_seconds = " + config.deleteMarkerCleanupAgeSeconds());
            settings.add("min_age_to_force_merge_on_partition_only = 1");
            settings.add(AUTOMATIC + " = 1");
        } else {
            LOG.warn("ClickHouse {} cleans delete markers of {} only when told: OPTIMIZE TABLE {} FINAL CLEANUP "
                    + "(no {} before 24.x)", connection.version(), table, table, AUTOMATIC);
        }
        return settings;
    }

    private Set<String> serverSettings() {
        if (serverSettings == null) {
            serverSettings = new HashSet<>();
            if (connection.dialect() instanceof ModernDialect) { // 18.16's system.merge_tree_settings lacks them all
                query.apply("SELECT name FROM system.merge_tree_settings WHERE name IN ('" + ALLOW + "', '" + AUTOMATIC
                        + "') FORMAT TabSeparated").forEach(row -> serverSettings.add(row[0]));
            }
        }
        return serverSettings;
    }
}
