package io.cdcpipeline.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves the stack's Kafka Connect worker is real and loads the Debezium Postgres plugin from its plugin.path. */
@RealStack(kafka = true)
class ConnectWorkerSmokeIT {

    private static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";

    @Test
    void restApiListsDebeziumPostgresConnector(StackEndpoints stack) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(stack.requireConnectUrl() + "/connector-plugins"))
                        .timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);

        List<String> connectors = new ArrayList<>();
        String postgresVersion = null;
        for (JsonNode plugin : new ObjectMapper().readTree(response.body())) {
            connectors.add(plugin.path("class").asText());
            if (POSTGRES_CONNECTOR.equals(plugin.path("class").asText())) {
                postgresVersion = plugin.path("version").asText();
                assertThat(plugin.path("type").asText()).isEqualTo("source");
            }
        }
        assertThat(connectors).contains(POSTGRES_CONNECTOR);
        assertThat(postgresVersion).as("the Debezium version pinned for the stack").isEqualTo("3.6.3.Final");
    }

    /** The worker runs with plugin.discovery=service_load: it sees only plugins that list themselves in META-INF/services. */
    @Test
    void workerFindsOurTransformsAndPredicateByServiceLoading(StackEndpoints stack) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl()
                        + "/connector-plugins?connectorsOnly=false")).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> transformations = new ArrayList<>();
        List<String> predicates = new ArrayList<>();
        for (JsonNode plugin : new ObjectMapper().readTree(response.body())) {
            switch (plugin.path("type").asText()) {
                case "transformation" -> transformations.add(plugin.path("class").asText());
                case "predicate" -> predicates.add(plugin.path("class").asText());
                default -> {
                }
            }
        }
        assertThat(transformations).contains("io.cdcpipeline.transforms.CdcNormalize",
                "io.cdcpipeline.transforms.ProtectPii", "io.cdcpipeline.transforms.ProtectPii$Key",
                "io.cdcpipeline.transforms.ProtectPii$Value", "io.cdcpipeline.transforms.CdcRoute",
                "io.cdcpipeline.transforms.CdcFilter", "io.cdcpipeline.transforms.SchemaChangeSignal");
        assertThat(predicates).contains("io.cdcpipeline.transforms.ChangeMatches");
    }

    /** Our sink connectors, found by service loading in the unpacked plugin zip, report the build's version. */
    @Test
    void workerFindsOurSinkConnectorsWithTheirVersion(StackEndpoints stack) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl()
                + "/connector-plugins")).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        List<String> sinks = new ArrayList<>();
        for (JsonNode plugin : new ObjectMapper().readTree(response.body())) {
            if ("sink".equals(plugin.path("type").asText()) && plugin.path("class").asText().startsWith("io.cdcpipeline.")) {
                sinks.add(plugin.path("class").asText() + "@" + plugin.path("version").asText());
            }
        }
        assertThat(sinks).hasSize(2).allMatch(s -> s.matches(".*@\\d+\\.\\d+\\.\\d+.*"), "a real version, not 'dev'");
        assertThat(sinks).anyMatch(s -> s.startsWith("io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector@"))
                .anyMatch(s -> s.startsWith("io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector@"));
    }
}
