package io.cdcpipeline.sink.elasticsearch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink connector that keeps Elasticsearch indices in step with Postgres tables from Debezium change
 * events, versioning every write by the change's LSN so that replays never overwrite newer documents.
 */
public class ElasticsearchSinkConnector extends SinkConnector {

    static final String VERSION = versionOf(ElasticsearchSinkConnector.class);

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        new ElasticsearchSinkConfig(props); // fail here, not in every task, on a bad config
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ElasticsearchSinkTask.class;
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
        return ElasticsearchSinkConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return VERSION;
    }

    private static String versionOf(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
