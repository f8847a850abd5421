package io.cdcpipeline.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink connector that keeps ClickHouse tables in step with Postgres tables from Debezium change
 * events: one {@code ReplacingMergeTree} table per source table, versioned by the change's LSN, with a
 * current-state view for queries.
 */
public class ClickHouseSinkConnector extends SinkConnector {

    static final String VERSION = versionOf(ClickHouseSinkConnector.class);

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new ClickHouseSinkConfig(props); // fail here, not in every task, on a bad config
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ClickHouseSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return ClickHouseSinkConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return VERSION;
    }

    static String versionOf(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
