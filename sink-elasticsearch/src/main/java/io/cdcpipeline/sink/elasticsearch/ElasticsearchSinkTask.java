package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import com.fasterxml.jackson.databind.ObjectMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.cdcpipeline.core.sink.DeadLetters;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch to Elasticsearch before {@link #put} returns, so every offset committed afterwards is already
 * acknowledged by Elasticsearch.
 */
public class ElasticsearchSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkTask.class);

    private RestClientTransport transport;
    private BulkWriter writer;

    @Override
    public String version() {
        return ElasticsearchSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        ElasticsearchSinkConfig config = new ElasticsearchSinkConfig(props);
        RestClientBuilder builder = RestClient.builder(config.urls().stream().map(HttpHost::create).toArray(HttpHost[]::new));
        if (!config.username().isEmpty()) {
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(config.username(), config.password()));
            builder.setHttpClientConfigCallback(http -> http.setDefaultCredentialsProvider(credentials));
        }
        // A plain ObjectMapper keeps null columns in documents (the client's default mapper drops them), so a
        // document shows every column of its row.
        transport = new RestClientTransport(builder.build(), new JacksonJsonpMapper(new ObjectMapper()));
        writer = new BulkWriter(new ElasticsearchClient(transport), config, DeadLetters.of(context, LOG));
        LOG.info("Elasticsearch sink writing to {}", config.urls());
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (!records.isEmpty()) {
            writer.write(records);
        }
    }

    @Override
    public void flush(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        // Nothing is buffered between puts.
    }

    @Override
    public void stop() {
        if (writer != null) {
            LOG.info("Elasticsearch sink stopping: {} writes skipped because the document held a newer version",
                    writer.staleSkipped());
        }
        if (transport != null) {
            try {
                transport.close();
            } catch (IOException e) {
                LOG.warn("Closing the Elasticsearch client failed", e);
            }
        }
    }
}
