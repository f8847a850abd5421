package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.NameTemplate;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/** Settings of the ClickHouse sink connector. */
public final class ClickHouseSinkConfig extends AbstractConfig {

    public static final String URL = "clickhouse.url";
    public static final String USER = "clickhouse.user";
    public static final String PASSWORD = "clickhouse.password";
    public static final String DATABASE = "clickhouse.database";
    public static final String TABLE_NAME_FORMAT = "table.name.format";
    public static final String VIEW_SUFFIX = "view.suffix";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(URL, Type.STRING, "http://127.0.0.1:8123", new HttpUrl(), Importance.HIGH,
                    "HTTP endpoint of the ClickHouse server, e.g. http://clickhouse:8123.")
            .define(USER, Type.STRING, "default", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "ClickHouse user the sink writes as.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                    "Password of that user; use a config provider such as ${env:CLICKHOUSE_PASSWORD} to keep it out of files.")
            .define(DATABASE, Type.STRING, "default", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Database the tables and views are created in. It must exist.")
            .define(TABLE_NAME_FORMAT, Type.STRING, "${table}", NameTemplate.validator(), Importance.MEDIUM,
                    "Name of the ClickHouse table for a source table, from the placeholders ${schema} and ${table}. "
                            + "Use ${schema}_${table} when several source schemas hold tables of the same name.")
            .define(VIEW_SUFFIX, Type.STRING, "_current", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Suffix of the current-state view created beside each table: newest version per key, deleted rows "
                            + "left out. This view is what BI queries should read.");

    public ClickHouseSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    public String url() {
        return getString(URL);
    }

    public String user() {
        return getString(USER);
    }

    public String password() {
        Password password = getPassword(PASSWORD);
        return password == null ? "" : password.value();
    }

    public String database() {
        return getString(DATABASE);
    }

    public NameTemplate tableNames() {
        return NameTemplate.parse(TABLE_NAME_FORMAT, getString(TABLE_NAME_FORMAT));
    }

    public String viewSuffix() {
        return getString(VIEW_SUFFIX);
    }

    /** Accepts http:// and https:// URLs only: the sink speaks ClickHouse's HTTP interface. */
    static final class HttpUrl implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String url = (String) value;
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "must be an http:// or https:// URL of ClickHouse's HTTP interface");
            }
        }

        @Override
        public String toString() {
            return "http(s)://host:port";
        }
    }
}
