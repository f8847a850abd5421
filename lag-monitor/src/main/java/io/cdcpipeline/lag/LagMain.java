package io.cdcpipeline.lag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.lag.alert.RulesGenerator;
import io.cdcpipeline.lag.config.ConfigException;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.http.MonitorServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/cdc lag run|status}: the lag monitor's command line. */
@Command(name = "lag", mixinStandardHelpOptions = true, subcommands = {LagMain.Run.class, LagMain.Status.class, LagMain.Rules.class},
        description = "Measures how fresh each copy is, checks freshness SLOs and alerts.")
public final class LagMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new LagMain()).execute(args));
    }

    @Command(name = "run", description = "Runs the monitor: heartbeats, checks, /metrics, /health, /status, alerts.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "the monitor's YAML config file")
        Path config;

        @Option(names = "--validate-only", description = "check the config file and exit")
        boolean validateOnly;

        @Override
        public Integer call() throws Exception {
            MonitorConfig parsed = load(config);
            if (parsed == null) {
                return 2;
            }
            if (validateOnly) {
                System.out.println(config + ": valid (" + parsed.sinks().size() + " sinks, " + parsed.slos().size()
                        + " SLOs)");
                return 0;
            }
            try (LagMonitor monitor = new LagMonitor(parsed, Clock.systemUTC())) {
                monitor.prepare();
                monitor.start();
                try (MonitorServer server = new MonitorServer(monitor, parsed.httpHost(), parsed.httpPort(),
                        parsed.httpAuth())) {
                    System.out.println("lag monitor listening on http://" + parsed.httpHost() + ":" + server.port()
                            + " (/metrics, /health, /status)");
                    CountDownLatch stop = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                    stop.await();
                }
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Prints each SLO's freshness, level and error budget from a running monitor.")
    static final class Status implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:9464", description = "the monitor's HTTP address "
                + "(with http.user set: http://USER@host:port, the password in the environment variable "
                + "CDC_LAG_PASSWORD)")
        URI url;

        @Override
        public Integer call() throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(url.resolve("/status")).GET();
            if (url.getUserInfo() != null) {
                String credentials = url.getUserInfo().contains(":") ? url.getUserInfo()
                        : url.getUserInfo() + ":" + System.getenv().getOrDefault("CDC_LAG_PASSWORD", "");
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        credentials.getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401) {
                System.err.println("error: " + url + " asks for credentials: give --url http://USER@host:port and the "
                        + "password in CDC_LAG_PASSWORD");
                return 2;
            }
            JsonNode status = new ObjectMapper().readTree(response.body());
            System.out.print(table(status));
            return status.path("healthy").asBoolean() ? 0 : 1;
        }
    }

    @Command(name = "rules", description = "Writes Prometheus alert rules (multiwindow, multi-burn-rate) for the SLOs.")
    static final class Rules implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "the monitor's YAML config file")
        Path config;

        @Option(names = "--out", description = "file to write (default: standard output)")
        Path out;

        @Override
        public Integer call() throws Exception {
            MonitorConfig parsed = load(config);
            if (parsed == null) {
                return 2;
            }
            String rules = RulesGenerator.generate(parsed);
            if (out == null) {
                System.out.print(rules);
            } else {
                Files.writeString(out, rules);
                System.err.println("wrote " + out + " (check it with: promtool check rules " + out + ")");
            }
            return 0;
        }
    }

    /** The config file, or null after printing what is wrong with it (the caller exits with 2). */
    static MonitorConfig load(Path config) {
        try {
            return MonitorConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("error: " + config + ": " + e.getMessage());
            return null;
        }
    }

    /** The status as text: one line per SLO, then one per table with changes waiting or time, then the slot. */
    static String table(JsonNode status) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-16s %-26s %-24s %10s %10s %-9s %-8s %8s%n",
                "SINK", "SLO", "TABLE", "FRESHNESS", "THRESHOLD", "LEVEL", "STALLED", "BUDGET"));
        for (JsonNode slo : status.path("slos")) {
            out.append(String.format(Locale.ROOT, "%-16s %-26s %-24s %9.1fs %9ds %-9s %-8s %7.1f%%%n",
                    slo.path("sink").asText(), slo.path("slo").asText(), slo.path("table").asText(),
                    slo.path("freshness_seconds").asDouble(), slo.path("threshold_seconds").asLong(),
                    slo.path("level").asText("-"), slo.path("stalled").asBoolean() ? "yes" : "no",
                    slo.path("error_budget_left").asDouble() * 100));
        }
        if (status.path("tables").size() > 0) {
            out.append(String.format(Locale.ROOT, "%n%-16s %-32s %10s %8s  %-20s%n", "SINK", "TABLE", "FRESHNESS",
                    "WAITING", "COMPLETE UP TO"));
            for (JsonNode table : status.path("tables")) {
                out.append(String.format(Locale.ROOT, "%-16s %-32s %9.1fs %8d  %-20s%s%n", table.path("sink").asText(),
                        table.path("table").asText(), table.path("freshness_seconds").asDouble(),
                        table.path("pending").asLong(), table.path("complete_up_to").asText(),
                        table.path("oldest_pending").isTextual() ? "  oldest waiting change " + table.path(
                                "oldest_pending").asText() : ""));
            }
        }
        JsonNode consistency = status.path("consistency");
        if (!consistency.isMissingNode()) {
            out.append(String.format(Locale.ROOT, "%nconsistency, checked %s:%n%-16s %-32s %-11s %8s %8s%n",
                    consistency.path("checked_at").asText(), "SINK", "TABLE", "STATUS", "DRIFTED", "COMPARED"));
            for (JsonNode result : consistency.path("results")) {
                out.append(String.format(Locale.ROOT, "%-16s %-32s %-11s %8d %8d%n", result.path("sink").asText(),
                        result.path("table").asText(), result.path("status").asText(),
                        result.path("drifted_rows").asLong(), result.path("rows_compared").asLong()));
            }
        }
        JsonNode slot = status.path("slot");
        if (!slot.isMissingNode()) {
            out.append(String.format(Locale.ROOT, "slot %s: %s, %s, retains %,d bytes of WAL, %,d unconfirmed%n",
                    slot.path("name").asText(), slot.path("active").asBoolean() ? "active" : "inactive",
                    slot.path("wal_status").asText(), slot.path("retained_wal_bytes").asLong(),
                    slot.path("unconfirmed_wal_bytes").asLong()));
        }
        out.append(status.path("healthy").asBoolean() ? "healthy\n" : "UNHEALTHY\n");
        return out.toString();
    }
}
