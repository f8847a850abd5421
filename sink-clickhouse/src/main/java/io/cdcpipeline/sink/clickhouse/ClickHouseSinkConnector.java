package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Kafka Connect sink connector that keeps ClickHouse tables in step with Postgres tables from Debezium change
 * events: one {@code ReplacingMergeTree} table per source table, versioned by the change's LSN, with a
 * current-state view for queries. Validation goes beyond the field checks: table overrides must parse, and the
 * server must answer and hold the database.
 */
public class ClickHouseSinkConnector extends ConfiguredSinkConnector {

    static final String VERSION = versionOf(ClickHouseSinkConnector.class);

    @Override
    public Class<? extends Task> taskClass() {
        return ClickHouseSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return ClickHouseSinkConfig.CONFIG_DEF;
    }

    @Override
    protected void checkConfig(Map<String, String> props) {
        new ClickHouseSinkConfig(props); // overrides and cross-field rules, not only the ConfigDef
    }

    @Override
    protected void checkServer(Map<String, String> props, Config result) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        try (HttpClickHouseConnection connection = HttpClickHouseConnection.open(config)) {
            String found = new String(connection.query("SELECT count() FROM system.databases WHERE name = "
                    + SqlText.literal(config.database()) + " FORMAT TabSeparated"), StandardCharsets.UTF_8).trim();
            if (!"1".equals(found) && !config.autoCreateDatabase()) {
                addError(result, ClickHouseSinkConfig.DATABASE, "database '" + config.database()
                        + "' does not exist on " + config.url() + "; create it first (CREATE DATABASE ...) or set "
                        + ClickHouseSinkConfig.AUTO_CREATE_DATABASE + "=true");
            }
        } catch (RuntimeException e) {
            addError(result, ClickHouseSinkConfig.URL, "ClickHouse at " + config.url() + " cannot be reached as user '"
                    + config.user() + "': " + e.getMessage());
        }
    }
}
