package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Kafka Connect sink connector that keeps ClickHouse tables in step with Postgres tables from Debezium change
 * events: one {@code ReplacingMergeTree} table per source table, versioned by the change's LSN, with a
 * current-state view for queries.
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
}
