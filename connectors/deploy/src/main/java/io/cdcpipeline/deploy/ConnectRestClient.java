package io.cdcpipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.core.ConfigProviders;
import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.core.position.ReplicationSlot;
import io.cdcpipeline.core.position.SourceDatabase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The few calls of Connect's REST API that deploying needs. */
public final class ConnectRestClient {

    /** A setting the worker refused, with why. */
    public record Problem(String key, String message) {
    }

    /** One task's state; {@code trace} is the first line of its error, if it failed. */
    public record TaskState(int id, String state, String workerId, String trace) {
    }

    /** One connector's state and its tasks'. */
    public record ConnectorState(String name, String type, String state, String workerId, String trace,
            List<TaskState> tasks) {
        public boolean failed() {
            return "FAILED".equals(state) || tasks.stream().anyMatch(t -> "FAILED".equals(t.state()));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REBALANCE_WAIT = Duration.ofSeconds(60);
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public ConnectRestClient(URI base) {
        this.base = base;
    }

    /**
     * The worker's own validation ({@code PUT /connector-plugins/{class}/config/validate}): config providers resolved,
     * the connector's {@code validate()} run, which for our sinks reaches their servers. Empty when all is well.
     */
    public List<Problem> validate(Map<String, String> config) throws IOException {
        return check(config).problems();
    }

    /**
     * The worker's validation and, from the definitions it answers with, the keys of type PASSWORD (the connector's
     * own and its transforms' and predicates': HMAC keys, API keys, passwords), whose values must never be shown.
     */
    public record Validation(List<Problem> problems, Set<String> secretKeys) {
    }

    /** {@link #validate}, with the secret keys. */
    public Validation check(Map<String, String> config) throws IOException {
        String connectorClass = config.get("connector.class");
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connector-plugins/" + encode(connectorClass)
                + "/config/validate")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))));
        if (response.statusCode() == 404 || response.statusCode() == 400 && response.body().contains("not found")) {
            return new Validation(List.of(new Problem("connector.class", "the worker has no plugin " + connectorClass
                    + ": " + message(response))), Set.of());
        }
        require(response, 200, "validating " + connectorClass);
        List<Problem> problems = new ArrayList<>();
        Set<String> secrets = new TreeSet<>();
        for (JsonNode setting : JSON.readTree(response.body()).path("configs")) {
            JsonNode value = setting.path("value");
            for (JsonNode error : value.path("errors")) {
                problems.add(new Problem(value.path("name").asText(), error.asText()));
            }
            if ("PASSWORD".equals(setting.path("definition").path("type").asText())) {
                secrets.add(setting.path("definition").path("name").asText());
            }
        }
        return new Validation(problems, secrets);
    }

    /** A connector's config as the worker holds it (unresolved), or null when there is no such connector. */
    public Map<String, String> config(String name) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connectors/" + encode(name) + "/config")).GET());
        if (response.statusCode() == 404) {
            return null;
        }
        require(response, 200, "reading the config of " + name);
        Map<String, String> config = new LinkedHashMap<>();
        JSON.readTree(response.body()).properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
        return config;
    }

    /** Creates or updates a connector ({@code PUT /connectors/{name}/config}); true when it was created. */
    public boolean put(String name, Map<String, String> config) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connectors/" + encode(name) + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))));
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IOException("the worker refused connector " + name + " (" + response.statusCode() + "): "
                    + message(response));
        }
        return response.statusCode() == 201;
    }

    /** The plugin classes the worker has, with their type (source, sink). */
    public Map<String, String> plugins() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connector-plugins")).GET());
        require(response, 200, "listing the worker's plugins");
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode plugin : JSON.readTree(response.body())) {
            types.put(plugin.path("class").asText(), plugin.path("type").asText());
        }
        return types;
    }

    /** Every connector's state, by name. */
    public List<ConnectorState> states() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connectors?expand=status")).GET());
        require(response, 200, "reading connector states");
        List<ConnectorState> states = new ArrayList<>();
        JsonNode all = JSON.readTree(response.body());
        all.fieldNames().forEachRemaining(name -> {
            JsonNode status = all.path(name).path("status");
            List<TaskState> tasks = new ArrayList<>();
            for (JsonNode task : status.path("tasks")) {
                tasks.add(new TaskState(task.path("id").asInt(), task.path("state").asText(),
                        task.path("worker_id").asText(), firstLine(task.path("trace").asText(null))));
            }
            states.add(new ConnectorState(name, status.path("type").asText(), status.path("connector").path("state")
                    .asText(), status.path("connector").path("worker_id").asText(),
                    firstLine(status.path("connector").path("trace").asText(null)), tasks));
        });
        states.sort(Comparator.comparing(ConnectorState::name));
        return states;
    }

    /**
     * A source connector's stored position judged against its replication slot (see {@link ConnectSourcePosition});
     * the slot is read with the connector's own {@code database.*} settings, config providers resolved here with
     * this process's environment and files, unless {@code sourceUrl} names the database instead. Null for
     * connectors that are not Debezium's Postgres source.
     */
    public ConnectSourcePosition.Result position(String name, String sourceUrl) {
        return ConnectSourcePosition.check(http, base, name, (config, slot) -> {
            try (Connection db = sourceUrl != null ? DriverManager.getConnection(sourceUrl)
                    : SourceDatabase.connect(ConfigProviders.resolve(config, System.getenv()))) {
                return ReplicationSlot.read(db, slot);
            }
        });
    }

    /** Restarts a connector's failed instance and failed tasks only (KIP-745). */
    public void restartFailed(String name) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/connectors/" + encode(name)
                + "/restart?includeTasks=true&onlyFailed=true")).POST(HttpRequest.BodyPublishers.noBody()));
        if (response.statusCode() != 202 && response.statusCode() != 204 && response.statusCode() != 200) {
            throw new IOException("restarting " + name + " failed (" + response.statusCode() + "): " + message(response));
        }
    }

    private static String firstLine(String trace) {
        return trace == null ? null : trace.lines().findFirst().orElse(trace);
    }

    private URI uri(String path) {
        return URI.create(base.toString().replaceAll("/+$", "") + path);
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends a request; while the cluster rebalances (workers joining or leaving, connectors just created or deleted)
     * Connect answers 409 or 500 "rebalance" for a moment, and the request is sent again, for up to a minute.
     */
    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
        long deadline = System.nanoTime() + REBALANCE_WAIT.toNanos();
        try {
            while (true) {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                boolean rebalancing = (response.statusCode() == 409 || response.statusCode() == 500)
                        && response.body().toLowerCase(Locale.ROOT).contains("rebalance");
                if (!rebalancing || System.nanoTime() > deadline) {
                    return response;
                }
                Thread.sleep(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ConnectException e) {
            throw new IOException("cannot reach the Connect worker at " + base + " (--url): " + e.getMessage(), e);
        }
    }

    private static void require(HttpResponse<String> response, int status, String what) throws IOException {
        if (response.statusCode() != status) {
            throw new IOException(what + " failed (" + response.statusCode() + "): " + message(response));
        }
    }

    private static String message(HttpResponse<String> response) {
        try {
            JsonNode body = JSON.readTree(response.body());
            return body.path("message").asText(response.body());
        } catch (IOException e) {
            return response.body();
        }
    }
}
