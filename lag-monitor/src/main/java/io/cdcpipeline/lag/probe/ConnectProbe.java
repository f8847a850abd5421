package io.cdcpipeline.lag.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Connect mode: every connector's and task's state from the Connect REST API ({@code /connectors?expand=status}). */
public final class ConnectProbe {

    /** One connector: its state, its type, and each task's state (with the trace's first line when it failed). */
    public record ConnectorState(String name, String type, String state, List<TaskState> tasks) {
        public boolean failed() {
            return "FAILED".equals(state) || tasks.stream().anyMatch(t -> "FAILED".equals(t.state()));
        }
    }

    public record TaskState(int id, String state, String worker, String error) {
    }

    private final URI url;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public ConnectProbe(URI url, HttpClient http) {
        this.url = url;
        this.http = http;
    }

    public List<ConnectorState> read() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(url.resolve("/connectors?expand=status"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Connect " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        List<ConnectorState> states = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> connectors = json.readTree(response.body()).properties().iterator();
        while (connectors.hasNext()) {
            Map.Entry<String, JsonNode> entry = connectors.next();
            JsonNode status = entry.getValue().path("status");
            List<TaskState> tasks = new ArrayList<>();
            for (JsonNode task : status.path("tasks")) {
                String trace = task.path("trace").asText("");
                tasks.add(new TaskState(task.path("id").asInt(), task.path("state").asText(),
                        task.path("worker_id").asText(), trace.isEmpty() ? null : trace.lines().findFirst().orElse("")));
            }
            states.add(new ConnectorState(entry.getKey(), status.path("type").asText(),
                    status.path("connector").path("state").asText(), tasks));
        }
        return states;
    }
}
