package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Kafka Connect sink connector that keeps Elasticsearch indices in step with Postgres tables from Debezium change
 * events, versioning every write by the change's LSN so that replays never overwrite newer documents. Validation
 * checks the cluster through its health API (this server answers 405 to {@code GET /}).
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

    @Override
    protected void checkConfig(Map<String, String> props) {
        new ElasticsearchSinkConfig(props); // overrides, JSON settings and cross-field rules
    }

    @Override
    protected void checkServer(Map<String, String> props, Config result) {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
        try (ElasticsearchConnection connection = new ElasticsearchConnection(config)) {
            String status = connection.health();
            if ("red".equals(status)) {
                addError(result, ElasticsearchSinkConfig.URLS, "the cluster at " + config.urls() + " is red");
            }
        } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
            boolean auth = e.status() == 401 || e.status() == 403;
            addError(result, ElasticsearchSinkConfig.URLS, "Elasticsearch at " + config.urls() + (auth
                    ? " refused the credentials (" + e.status() + "): check " + ElasticsearchSinkConfig.USERNAME + "/"
                    + ElasticsearchSinkConfig.PASSWORD + " or " + ElasticsearchSinkConfig.API_KEY
                    : " answered the cluster health check with " + e.status()) + ": " + e.getMessage());
        } catch (Exception e) {
            addError(result, ElasticsearchSinkConfig.URLS, "Elasticsearch at " + config.urls() + " cannot be reached"
                    + " (cluster health): " + e.getMessage());
        }
    }
}
