package io.cdcpipeline.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The plugin zip the build makes (package phase, so this runs as an integration test, without servers): Confluent
 * Hub layout, our jars with their own dependencies (Jackson included, so the plugin never runs on the worker's), none
 * of what the worker provides, and service files that name classes the bundle holds.
 */
class PluginBundleIT {

    @Test
    void zipHasTheHubLayoutOurJarsAndNothingTheWorkerProvides() throws Exception {
        Path zip;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            zip = files.filter(p -> p.getFileName().toString().matches("cdcpipeline-cdc-pipeline-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new AssertionError("no plugin zip in target/"));
        }
        try (ZipFile bundle = new ZipFile(zip.toFile())) {
            String root = zip.getFileName().toString().replace(".zip", "") + "/";
            JsonNode manifest = new ObjectMapper().readTree(bundle.getInputStream(bundle.getEntry(root + "manifest.json")));
            assertThat(manifest.path("name").asText()).isEqualTo("cdc-pipeline");
            assertThat(root).contains(manifest.path("version").asText());
            assertThat(manifest.path("component_types").toString()).contains("sink").contains("transform");
            assertThat(bundle.getEntry(root + "doc/README.md")).isNotNull();
            assertThat(bundle.getEntry(root + "doc/connect.md")).isNotNull();

            List<String> jars = new ArrayList<>();
            bundle.stream().map(ZipEntry::getName).filter(n -> n.startsWith(root + "lib/") && n.endsWith(".jar"))
                    .forEach(n -> jars.add(n.substring((root + "lib/").length())));
            assertThat(jars).anyMatch(j -> j.startsWith("cdc-core-")).anyMatch(j -> j.startsWith("cdc-transforms-"))
                    .anyMatch(j -> j.startsWith("cdc-sink-clickhouse-")).anyMatch(j -> j.startsWith("cdc-sink-elasticsearch-"))
                    .anyMatch(j -> j.matches("jackson-databind-2\\..*")).anyMatch(j -> j.startsWith("client-v2-"))
                    .anyMatch(j -> j.startsWith("elasticsearch-java-"));
            assertThat(jars).as("the worker provides these; a copy in the plugin would clash or be ignored")
                    .noneMatch(j -> j.startsWith("kafka-clients-") || j.startsWith("connect-api-")
                            || j.startsWith("connect-runtime-") || j.startsWith("slf4j-api-"));

            List<String> services = new ArrayList<>();
            List<String> classes = new ArrayList<>();
            for (String jar : jars) {
                try (ZipInputStream in = new ZipInputStream(bundle.getInputStream(bundle.getEntry(root + "lib/" + jar)))) {
                    for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                        if (entry.getName().startsWith("META-INF/services/org.apache.kafka.connect.")) {
                            services.addAll(lines(in));
                        } else if (entry.getName().startsWith("io/cdcpipeline/") && entry.getName().endsWith(".class")) {
                            classes.add(entry.getName().replace('/', '.').replace(".class", ""));
                        }
                    }
                }
            }
            assertThat(services).contains("io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector",
                    "io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector",
                    "io.cdcpipeline.transforms.ProtectPii$Value", "io.cdcpipeline.transforms.ChangeMatches");
            assertThat(classes).as("every class a service file names is in the bundle").containsAll(services);
        }
    }

    private static List<String> lines(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
