package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.ConfigGroups;
import io.cdcpipeline.core.position.SourceDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The sinks' settings for reaching the source database, to check keys against it ({@link StraySweep}): defined once
 * here for both sinks.
 */
public final class SourceCheckConfig {

    public static final String URL = "consistency.source.url";
    public static final String USER = "consistency.source.user";
    public static final String PASSWORD = "consistency.source.password";
    public static final String SIGNAL_TABLE = "consistency.signal.table";
    private static final String GROUP = "Consistency";

    private SourceCheckConfig() {
    }

    public static ConfigDef define(ConfigDef def) {
        return def
                .define(URL, Type.STRING, "", SourceCheckConfig::validateUrl, Importance.MEDIUM,
                        "JDBC URL of the Postgres database the records come from "
                                + "(jdbc:postgresql://host:port/database). When set, after an incremental snapshot "
                                + "of a table completes the sink removes the rows of its target whose key Postgres "
                                + "no longer has (deleted while their deletes could not reach the sink), through its "
                                + "versioned delete. Empty: no such check. The embedded runner (bin/cdc run) sets "
                                + "it from the source's database.* settings.",
                        GROUP, 1, ConfigDef.Width.LONG, "Source database URL")
                .define(USER, Type.STRING, "", Importance.MEDIUM,
                        "User for " + URL + "; it needs SELECT on the captured tables.",
                        GROUP, 2, ConfigDef.Width.MEDIUM, "Source database user")
                .define(PASSWORD, Type.PASSWORD, "", Importance.MEDIUM, "Password for " + URL + ".",
                        GROUP, 3, ConfigDef.Width.MEDIUM, "Source database password")
                .define(SIGNAL_TABLE, Type.STRING, "", SourceCheckConfig::validateSignalTable, Importance.MEDIUM,
                        "Debezium's signal table in the source database (schema.table, the source connector's "
                                + "signal.data.collection). When set together with " + URL + ", the sink asks "
                                + "Debezium for an incremental snapshot of a table it cannot bring up to date by "
                                + "itself (after a change it cannot apply in place, a column type the index mapping or "
                                + "no lossless ALTER can take, or a changed primary key, the sink rebuilds the index "
                                + "or table from that snapshot); " + USER + " then needs INSERT "
                                + "on it. Empty: such a change is refused and its records dead-lettered with the "
                                + "fix. The embedded runner sets it from the source's signal.data.collection.",
                        GROUP, 4, ConfigDef.Width.MEDIUM, "Source signal table");
    }

    private static void validateUrl(String name, Object value) {
        String url = value == null ? "" : value.toString();
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException(name, value, "expected a Postgres JDBC URL (jdbc:postgresql://host:port/db) "
                    + "or empty");
        }
    }

    private static void validateSignalTable(String name, Object value) {
        String table = value == null ? "" : value.toString();
        if (!table.isEmpty() && !table.matches("[^.\\s]+\\.[^.\\s]+")) {
            throw new ConfigException(name, value, "expected the signal table as schema.table (as Debezium's "
                    + "signal.data.collection names it) or empty");
        }
    }

    /** Whether the config names a source database to check keys against. */
    public static boolean isSet(AbstractConfig config) {
        return !config.getString(URL).isEmpty();
    }

    public static Connection connect(AbstractConfig config) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", config.getString(USER));
        Password password = config.getPassword(PASSWORD);
        props.setProperty("password", password == null ? "" : password.value());
        props.setProperty("ApplicationName", "cdc-pipeline consistency check");
        return DriverManager.getConnection(config.getString(URL), props);
    }

    /**
     * The settings for a sink of the embedded runner, from the Debezium source's {@code database.*} settings, unless
     * the sink sets them itself.
     */
    public static void fillFromSource(Map<String, String> sink, Map<String, String> source) {
        if (sink.containsKey(URL) || source.get("database.hostname") == null) {
            return;
        }
        sink.put(URL, SourceDatabase.url(source));
        sink.putIfAbsent(USER, source.getOrDefault("database.user", ""));
        sink.putIfAbsent(PASSWORD, source.getOrDefault("database.password", ""));
        String signals = source.get("signal.data.collection");
        if (signals != null && !signals.isBlank()) {
            // Debezium also accepts database.schema.table; the sink inserts into schema.table
            String[] parts = signals.split("\\.");
            sink.putIfAbsent(SIGNAL_TABLE, parts.length == 3 ? parts[1] + "." + parts[2] : signals);
        }
    }

    /** These settings as the "Consistency" group of a sink's config (see ConfigGroups). */
    public static ConfigGroups.Group group() {
        return ConfigGroups.group("Consistency",
                ConfigGroups.setting(URL, "Source JDBC URL"),
                ConfigGroups.setting(USER, "Source user"),
                ConfigGroups.setting(PASSWORD, "Source password"),
                ConfigGroups.setting(SIGNAL_TABLE, "Debezium signal table"));
    }
}
