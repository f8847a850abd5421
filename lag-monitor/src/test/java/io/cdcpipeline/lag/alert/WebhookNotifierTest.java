package io.cdcpipeline.lag.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Grouping, waiting, deduplication, repeats and resolution, against a receiver listening on a real socket. */
class WebhookNotifierTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;
    private WebhookNotifier notifier;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new ObjectMapper().readTree(new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        notifier = new WebhookNotifier(new MonitorConfig.Alerts(URI.create("http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/hook"), List.of("sink"), Duration.ofSeconds(10),
                Duration.ofMinutes(30)), HttpClient.newHttpClient());
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    static Alert alert(String sink, String severity) {
        return new Alert(Map.of("alertname", "CdcSinkFreshness", "sink", sink, "severity", severity, "table", "*"),
                Map.of("summary", sink + " behind", "freshness_seconds", "42", "threshold_seconds", "30"), T0);
    }

    @Test
    void groupsWaitsDeduplicatesRepeatsAndResolves() {
        notifier.update(T0, List.of(alert("analytics", "critical")));
        assertThat(received).as("group.wait not over").isEmpty();
        notifier.update(T0.plusSeconds(5), List.of(alert("analytics", "critical"), alert("search", "warning")));
        notifier.update(T0.plusSeconds(10), List.of(alert("analytics", "critical"), alert("search", "warning")));
        assertThat(received).hasSize(1);
        JsonNode first = received.get(0);
        assertThat(first.path("version").asText()).isEqualTo("4");
        assertThat(first.path("status").asText()).isEqualTo("firing");
        assertThat(first.path("groupLabels").path("sink").asText()).isEqualTo("analytics");
        assertThat(first.path("alerts").get(0).path("annotations").path("freshness_seconds").asText()).isEqualTo("42");
        assertThat(first.path("alerts").get(0).path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");

        notifier.update(T0.plusSeconds(15), List.of(alert("analytics", "critical"), alert("search", "warning")));
        assertThat(received).as("search's group waited its own 10 s").hasSize(2);
        assertThat(received.get(1).path("groupLabels").path("sink").asText()).isEqualTo("search");

        for (int s = 20; s < 1800; s += 60) {
            notifier.update(T0.plusSeconds(s), List.of(alert("analytics", "critical"), alert("search", "warning")));
        }
        assertThat(received).as("nothing changed: no repeat before repeat.interval").hasSize(2);
        notifier.update(T0.plusSeconds(1811), List.of(alert("analytics", "critical"), alert("search", "warning")));
        assertThat(received).as("analytics repeated 30 min after its last notification").hasSize(3);
        notifier.update(T0.plusSeconds(1816), List.of(alert("analytics", "critical"), alert("search", "warning")));
        assertThat(received).as("and search 30 min after its own").hasSize(4);

        notifier.update(T0.plusSeconds(1820), List.of(alert("search", "warning")));
        JsonNode resolved = received.get(received.size() - 1);
        assertThat(resolved.path("status").asText()).isEqualTo("resolved");
        assertThat(resolved.path("alerts").get(0).path("status").asText()).isEqualTo("resolved");
        assertThat(resolved.path("alerts").get(0).path("endsAt").asText()).isEqualTo(T0.plusSeconds(1820).toString());
        int count = received.size();
        notifier.update(T0.plusSeconds(1830), List.of(alert("search", "warning")));
        assertThat(received).as("a resolved alert is sent once").hasSize(count);
    }

    @Test
    void anAlertThatResolvesWithinGroupWaitTellsNobody() {
        notifier.update(T0, List.of(alert("analytics", "warning")));
        notifier.update(T0.plusSeconds(3), List.of());
        notifier.update(T0.plusSeconds(20), List.of());
        assertThat(received).isEmpty();
    }

    @Test
    void aFailedDeliveryIsRetriedAtTheNextCheck() {
        receiver.stop(0);
        notifier.update(T0, List.of(alert("analytics", "critical")));
        notifier.update(T0.plusSeconds(11), List.of(alert("analytics", "critical")));
        assertThat(notifier.failed()).isEqualTo(1);
        receiver = restart();
        notifier.update(T0.plusSeconds(12), List.of(alert("analytics", "critical")));
        assertThat(received).hasSize(1);
        assertThat(notifier.sent()).isEqualTo(1);
    }

    private HttpServer restart() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1",
                    notifier.webhook().getPort()), 0);
            server.createContext("/hook", exchange -> {
                received.add(new ObjectMapper().readTree(new String(exchange.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
