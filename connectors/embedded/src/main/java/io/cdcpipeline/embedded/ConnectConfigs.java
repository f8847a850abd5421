package io.cdcpipeline.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;

/**
 * A Connect deployment's connector files ({@code connect-configs/connect/*.json}: {@code {"name", "config"}}) read
 * as a pipeline: the Debezium Postgres source and our sinks, each sink under its connector name, references
 * ({@code ${env:...}}, {@code ${file:...}}) resolved where the command runs, as {@code bin/cdc deploy --status} does.
 */
final class ConnectConfigs {

    private static final String POSTGRES = "io.debezium.connector.postgresql.PostgresConnector";
    private static final Set<String> SINKS = Set.of(ClickHouseSinkConnector.class.getName(),
            ElasticsearchSinkConnector.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnectConfigs() {
    }

    static PipelineFile load(Path dir, Map<String, String> environment) {
        Map<String, String> raw = new LinkedHashMap<>();
        List<String> sinks = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Path file : files(dir)) {
            JsonNode connector;
            try {
                connector = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new ConfigException("--connect-configs", file.toString(), "is not a connector file (JSON with "
                        + "name and config): " + e.getMessage());
            }
            String name = connector.path("name").asText("");
            JsonNode config = connector.path("config");
            String type = config.path("connector.class").asText("");
            if (POSTGRES.equals(type)) {
                sources.add(file.getFileName() + " (" + name + ")");
                config.properties().forEach(e -> raw.put(PipelineFile.SOURCE_PREFIX + e.getKey(), e.getValue().asText()));
            } else if (SINKS.contains(type)) {
                if (name.isBlank() || name.contains(".")) {
                    throw new ConfigException("--connect-configs", file.toString(), "its connector name '" + name
                            + "' must be set and hold no dot");
                }
                sinks.add(name);
                config.properties().forEach(e -> raw.put("sink." + name + "." + e.getKey(), e.getValue().asText()));
            }
        }
        if (sources.size() != 1) {
            throw new ConfigException("--connect-configs", dir.toString(), "needs exactly one Debezium Postgres "
                    + "source connector file, found " + (sources.isEmpty() ? "none" : sources));
        }
        if (sinks.isEmpty()) {
            throw new ConfigException("--connect-configs", dir.toString(), "holds no ClickHouse or Elasticsearch sink "
                    + "connector file");
        }
        raw.put(RunnerConfig.SINKS, String.join(",", sinks));
        return PipelineFile.parse(raw, environment);
    }

    private static List<Path> files(Path dir) {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        try (Stream<Path> listed = Files.list(dir)) {
            return listed.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("--connect-configs", dir.toString(), "cannot be read: " + e.getMessage());
        }
    }
}
