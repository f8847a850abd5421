package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Kafka Connect sink connector that keeps Elasticsearch indices in step with Postgres tables from Debezium change
 * events, versioning every write by the change's LSN so that replays never overwrite newer documents.
 */
public class ElasticsearchSinkConnector extends ConfiguredSinkConnector {

    static final String VERSION = versionOf(ElasticsearchSinkConnector.class);

    @Override
    public Class<? extends Task> taskClass() {
        return ElasticsearchSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return ElasticsearchSinkConfig.CONFIG_DEF;
    }
}
