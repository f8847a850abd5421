package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.HealthStatus;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.RealStack;
import java.util.Map;
import org.apache.http.HttpHost;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/** Proves the stack's Elasticsearch is a real 8.19 node that enforces external versions, as the sink relies on. */
@RealStack
class ElasticsearchSmokeIT {

    record Order(String status) {
    }

    @Test
    void externalVersionRejectsStaleWriteWith409(ElasticsearchTestIndex index) throws Exception {
        try (RestClient rest = RestClient.builder(HttpHost.create(index.url())).build();
             RestClientTransport transport = new RestClientTransport(rest, new JacksonJsonpMapper())) {
            ElasticsearchClient es = new ElasticsearchClient(transport);
            assertThat(es.cluster().health().status()).isIn(HealthStatus.Green, HealthStatus.Yellow);

            es.index(i -> i.index(index.name()).id("42").version(5L).versionType(VersionType.External)
                    .document(Map.of("status", "shipped")));

            ResponseException stale = catchThrowableOfType(ResponseException.class,
                    () -> es.index(i -> i.index(index.name()).id("42").version(3L).versionType(VersionType.External)
                            .document(Map.of("status", "new"))));
            assertThat(stale).as("a write with an older external version must be refused").isNotNull();
            assertThat(stale.getResponse().getStatusLine().getStatusCode()).isEqualTo(409);

            GetResponse<Order> current = es.get(g -> g.index(index.name()).id("42"), Order.class);
            assertThat(current.version()).isEqualTo(5L);
            assertThat(current.source()).isEqualTo(new Order("shipped"));
        }
    }
}
