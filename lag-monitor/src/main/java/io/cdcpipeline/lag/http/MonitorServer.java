package io.cdcpipeline.lag.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cdcpipeline.lag.LagMonitor;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.slo.SloTracker;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The monitor's HTTP endpoints: {@code /} (the status page), {@code /metrics} (Prometheus), {@code /health} (200 when healthy, 503 with the
 * reasons when a sink is stalled or an SLO is critically breached, not merely when the process is up) and
 * {@code /status} (JSON for {@code bin/cdc lag status} and the status page).
 */
public final class MonitorServer implements AutoCloseable {

    private final HttpServer server;
    private final LagMonitor monitor;
    private final ObjectMapper json = new ObjectMapper();

    public MonitorServer(LagMonitor monitor, int port) throws IOException {
        this(monitor, "127.0.0.1", port, null);
    }

    /** @param auth the HTTP Basic credentials every request must carry, or null for none (a loopback host) */
    public MonitorServer(LagMonitor monitor, String host, int port, MonitorConfig.HttpAuth auth) throws IOException {
        this.monitor = monitor;
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        List<HttpContext> contexts = List.of(
                server.createContext("/metrics", new MetricsHandler(MonitorMetrics.register(monitor))),
                server.createContext("/health", this::health),
                server.createContext("/status", this::status),
                server.createContext("/", this::page));
        if (auth != null) {
            BasicAuth check = new BasicAuth(auth);
            contexts.forEach(context -> context.setAuthenticator(check));
        }
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "cdc-lag-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void health(HttpExchange exchange) throws IOException {
        List<String> reasons = monitor.unhealthyReasons();
        ObjectNode body = json.createObjectNode();
        body.put("status", reasons.isEmpty() ? "healthy" : "unhealthy");
        ArrayNode list = body.putArray("reasons");
        reasons.forEach(list::add);
        send(exchange, reasons.isEmpty() ? 200 : 503, "application/json", json.writeValueAsString(body));
    }

    private void page(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/")) {
            send(exchange, 404, "text/plain", "not found; try /, /status, /health or /metrics\n");
            return;
        }
        send(exchange, 200, "text/html", StatusPage.render(monitor, Instant.now()));
    }

    private void status(HttpExchange exchange) throws IOException {
        send(exchange, 200, "application/json", json.writeValueAsString(statusJson()));
    }

    /** Every SLO's latest reading, the sinks' states and the slot: what {@code bin/cdc lag status} prints. */
    public ObjectNode statusJson() {
        ObjectNode body = json.createObjectNode();
        body.put("healthy", monitor.unhealthyReasons().isEmpty());
        ArrayNode slos = body.putArray("slos");
        for (SloTracker tracker : monitor.trackers()) {
            ObjectNode node = slos.addObject();
            node.put("slo", tracker.slo().name());
            node.put("sink", tracker.slo().sink());
            node.put("table", tracker.table());
            node.put("threshold_seconds", tracker.slo().threshold().toSeconds());
            node.put("warning_seconds", tracker.slo().warning().toSeconds());
            node.put("critical_seconds", tracker.slo().critical().toSeconds());
            node.put("objective", tracker.slo().objective());
            node.put("error_budget_left", tracker.errorBudgetLeft());
            SloTracker.Reading reading = tracker.last();
            if (reading != null) {
                node.put("freshness_seconds", reading.freshness().toMillis() / 1000.0);
                node.put("level", reading.level().name().toLowerCase());
                node.put("stalled", reading.stalled());
                node.put("problem", reading.problem());
            }
            if (tracker.newestVisible() != null) {
                node.put("complete_up_to", tracker.newestVisible().toString());
            }
        }
        ArrayNode tables = body.putArray("tables");
        monitor.tables().forEach((sink, states) -> states.forEach(table -> {
            ObjectNode node = tables.addObject();
            node.put("sink", sink);
            node.put("table", table.table());
            node.put("complete_up_to", table.completeUpTo().toString());
            node.put("freshness_seconds", table.freshness().toMillis() / 1000.0);
            node.put("pending", table.pending());
            node.put("oldest_pending", table.oldestPending() == null ? null : table.oldestPending().toString());
            node.put("watermark", table.watermark() == null ? null : table.watermark().toString());
        }));
        if (!monitor.connectors().isEmpty()) {
            ArrayNode connectors = body.putArray("connectors");
            for (var connector : monitor.connectors()) {
                ObjectNode node = connectors.addObject();
                node.put("name", connector.name());
                node.put("type", connector.type());
                node.put("state", connector.state());
                ArrayNode tasks = node.putArray("tasks");
                connector.tasks().forEach(t -> tasks.addObject().put("id", t.id()).put("state", t.state())
                        .put("error", t.error()));
                var lag = monitor.consumerLags().get(connector.name());
                if (lag != null) {
                    node.put("lag_records", lag.records());
                    if (lag.seconds() != null) {
                        node.put("lag_seconds", lag.seconds());
                    }
                }
            }
        }
        if (monitor.consistencyCheckedAt() != null) {
            ObjectNode checked = body.putObject("consistency");
            checked.put("checked_at", monitor.consistencyCheckedAt().toString());
            ArrayNode results = checked.putArray("results");
            for (var r : monitor.consistency()) {
                results.addObject().put("sink", r.sink()).put("table", r.table().toString())
                        .put("status", r.status().name().toLowerCase()).put("drifted_rows", LagMonitor.driftedRows(r))
                        .put("rows_compared", r.rowsCompared()).put("note", r.note());
            }
        }
        var slot = monitor.slotState();
        if (slot != null) {
            ObjectNode node = body.putObject("slot");
            node.put("name", monitor.config().postgres().slot());
            node.put("exists", slot.exists());
            node.put("active", slot.active());
            node.put("retained_wal_bytes", slot.retainedBytes());
            node.put("unconfirmed_wal_bytes", slot.unconfirmedBytes());
            node.put("wal_status", slot.walStatus());
        }
        return body;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** HTTP Basic against the one configured user, compared in constant time. */
    private static final class BasicAuth extends BasicAuthenticator {
        private final byte[] user;
        private final byte[] password;

        BasicAuth(MonitorConfig.HttpAuth auth) {
            super("cdc-lag-monitor", StandardCharsets.UTF_8);
            this.user = auth.user().getBytes(StandardCharsets.UTF_8);
            this.password = auth.password().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean checkCredentials(String givenUser, String givenPassword) {
            boolean userOk = MessageDigest.isEqual(user,
                    givenUser.getBytes(StandardCharsets.UTF_8));
            boolean passwordOk = MessageDigest.isEqual(password,
                    givenPassword.getBytes(StandardCharsets.UTF_8));
            return userOk & passwordOk;
        }
    }
}
