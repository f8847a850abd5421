package io.cdcpipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ProjectRoot;
import io.cdcpipeline.testkit.ReliabilityCase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked without a Docker engine by Debian's docker-compose (installed by {@code bin/cdc stack
 * up --for-tests}): it parses and validates, has every part of the pipeline, and every project file it mounts exists.
 */
class DockerComposeTest {

    private static final Path ROOT = ProjectRoot.path();

    @Test
    void composeFileIsValidAndHasTheWholeStack() throws Exception {
        assertThat(compose("config", "-q")).isEmpty();
        assertThat(compose("config", "--services").lines().toList()).containsExactlyInAnyOrder("postgres", "kafka",
                "connect-plugins", "connect", "clickhouse", "elasticsearch", "lag-monitor", "prometheus");
    }

    /**
     * Versions are pinned once, in the parent pom.xml: the compose file runs the Kafka and Debezium the build and the
     * local stack use, and an Elasticsearch of the same minor version (a published image, whose patch level may
     * differ from the distribution the stack downloads).
     */
    @Test
    void imagesRunTheVersionsThePomPins() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String kafka = pomVersion(pom, "kafka");
        String debezium = pomVersion(pom, "debezium");
        String elasticsearch = pomVersion(pom, "elasticsearch");
        assertThat(compose).contains("image: apache/kafka:" + kafka)
                .contains("debezium-connector-postgres/" + debezium + "/debezium-connector-postgres-" + debezium
                        + "-plugin.tar.gz")
                .containsPattern("elasticsearch/elasticsearch:" + Pattern.quote(
                        elasticsearch.substring(0, elasticsearch.lastIndexOf('.') + 1)) + "\\d+");
        assertThat(compose.split("image: apache/kafka:", -1)).as("every Kafka image pinned").hasSize(
                compose.split("image: apache/kafka:" + kafka, -1).length);
    }

    private static String pomVersion(String pom, String name) {
        Matcher m = Pattern.compile("<version\\." + Pattern.quote(name) + ">([^<]+)</version\\.").matcher(pom);
        assertThat(m.find()).as("<version." + name + "> in pom.xml").isTrue();
        return m.group(1);
    }

    @Test
    void everyMountedProjectFileExists() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        Matcher mounts = Pattern.compile("- \\./([^:\\s]+):").matcher(compose);
        int count = 0;
        while (mounts.find()) {
            String path = mounts.group(1);
            count++;
            if (path.endsWith("/target")) {
                continue; // built by ./mvnw package, as the file's header says
            }
            assertThat(ROOT.resolve(path)).as("mounted by docker-compose.yml").exists();
        }
        assertThat(count).isGreaterThanOrEqualTo(6);
    }

    /**
     * The Connect worker and the lag monitor get a secrets file at the path connect-configs read with
     * {@code ${file:...}}, holding every key they ask for, and Postgres's password is the one in it.
     */
    @Test
    void secretsTheConfigsReadAreMountedWhereTheyLook() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        Properties secrets = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve("connect-configs/docker/secrets.properties"))) {
            secrets.load(in);
        }
        List<Path> readers = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("connect-configs/connect"))) {
            files.forEach(readers::add);
        }
        readers.add(ROOT.resolve("connect-configs/lag-monitor/lag-connect.yaml"));
        Pattern reference = Pattern.compile("\\$\\{file:([^:}]+):([^}]+)}");
        int references = 0;
        for (Path reader : readers) {
            Matcher m = reference.matcher(Files.readString(reader));
            while (m.find()) {
                references++;
                String mount = "./connect-configs/docker/secrets.properties:" + m.group(1) + ":ro";
                assertThat(compose.split(Pattern.quote(mount), -1)).as("%s mounted for the worker and the monitor",
                        mount).hasSize(3);
                assertThat(secrets).as("%s reads %s", reader.getFileName(), m.group(2)).containsKey(m.group(2));
            }
        }
        assertThat(references).as("passwords of the source (its CaptureNewTables too), both sinks (theirs and the "
                + "source's, for rebuilds and checks), the monitor's and its own HTTP's").isEqualTo(8);
        assertThat(Files.readString(ROOT.resolve("connect-configs/docker/monitor-http.password")).trim())
                .as("the password Prometheus sends is the one the monitor asks for")
                .isEqualTo(secrets.getProperty("monitor.http.password"));
        Matcher postgres = Pattern.compile("POSTGRES_PASSWORD: (\\S+)").matcher(compose);
        assertThat(postgres.find()).isTrue();
        assertThat(postgres.group(1)).isEqualTo(secrets.getProperty("pg.password"));
    }

    /** JMX stays inside the compose network; the monitor and Prometheus are published on this machine only. */
    @Test
    void monitoringEndpointsAreNotPublishedBeyondThisMachine() throws Exception {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        assertThat(compose).doesNotContain("9999:9999").contains("ports: [\"127.0.0.1:9464:9464\"]")
                .contains("ports: [\"127.0.0.1:9090:9090\"]");
        assertThat(Files.readString(ROOT.resolve("connect-configs/prometheus/prometheus.yml")))
                .contains("password_file: /etc/prometheus/monitor-http.password");
        ReliabilityCase.badInput("docker-compose: the lag monitor's HTTP and JMX reachable from other machines")
                .mode("Connect")
                .expected("JMX unpublished; the monitor behind HTTP Basic and published on 127.0.0.1 only")
                .observed("no JMX port published; 9464 and 9090 bound to 127.0.0.1; Prometheus scrapes with "
                        + "basic_auth from a password file equal to the monitor's secret").record();
    }

    private static String compose(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker-compose", "-f",
                ROOT.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("docker-compose is not installed: run bin/cdc stack up (it installs Debian's "
                    + "docker-compose)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("docker-compose %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }
}
