package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;

/**
 * Kafka Connect sink connector that keeps ClickHouse tables in step with Postgres tables from Debezium change
 * events: one {@code ReplacingMergeTree} table per source table, versioned by the change's LSN, with a
 * current-state view for queries. {@link #validate} goes beyond the field checks: table overrides must parse, and
 * the server must answer and hold the database.
 */
public class ClickHouseSinkConnector extends ConfiguredSinkConnector {

    static final String VERSION = versionOf(ClickHouseSinkConnector.class);

    @Override
    public void start(Map<String, String> props) {
        new ClickHouseSinkConfig(props); // overrides and cross-field rules too, not only the ConfigDef
        super.start(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ClickHouseSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return ClickHouseSinkConfig.CONFIG_DEF;
    }

    @Override
    public Config validateWithoutConnecting(Map<String, String> connectorConfigs) {
        Config result = super.validateWithoutConnecting(connectorConfigs);
        if (!hasErrors(result)) {
            try {
                new ClickHouseSinkConfig(connectorConfigs);
            } catch (ConfigException e) {
                addError(result, keyOf(e), e.getMessage());
            }
        }
        return result;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = validateWithoutConnecting(connectorConfigs);
        if (hasErrors(result)) {
            return result;
        }
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(connectorConfigs);
        try (HttpClickHouseConnection connection = HttpClickHouseConnection.open(config)) {
            String found = new String(connection.query("SELECT count() FROM system.databases WHERE name = "
                    + SqlText.literal(config.database()) + " FORMAT TabSeparated"), java.nio.charset.StandardCharsets.UTF_8)
                    .trim();
            if (!"1".equals(found)) {
                addError(result, ClickHouseSinkConfig.DATABASE, "database '" + config.database()
                        + "' does not exist on " + config.url() + "; create it first (CREATE DATABASE ...)");
            }
        } catch (RuntimeException e) {
            addError(result, ClickHouseSinkConfig.URL, "ClickHouse at " + config.url() + " cannot be reached as user '"
                    + config.user() + "': " + e.getMessage());
        }
        return result;
    }

    private static boolean hasErrors(Config result) {
        return result.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
    }

    /** The key a ConfigException names: its message starts "Invalid value X for configuration KEY: ...". */
    private static String keyOf(ConfigException e) {
        String message = String.valueOf(e.getMessage());
        int at = message.indexOf("for configuration ");
        if (at < 0) {
            return ClickHouseSinkConfig.URL;
        }
        String rest = message.substring(at + "for configuration ".length());
        int colon = rest.indexOf(':');
        return colon < 0 ? rest.trim() : rest.substring(0, colon).trim();
    }

    private static void addError(Config result, String key, String message) {
        List<ConfigValue> values = result.configValues();
        for (ConfigValue value : values) {
            if (value.name().equals(key)) {
                value.addErrorMessage(message);
                return;
            }
        }
        ConfigValue value = new ConfigValue(key);
        value.addErrorMessage(message);
        values.add(value);
    }
}
