package io.cdcpipeline.lag.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends firing and resolved alerts to a webhook in Alertmanager's webhook format (version 4), so any receiver
 * written for Alertmanager takes them. Like Alertmanager it groups alerts by labels ({@code group.by}), waits
 * {@code group.wait} before a new group's first notification, sends a group again only when its alerts change or
 * {@code repeat.interval} has passed (deduplication), and sends each resolved alert once. A failed delivery is
 * retried at the next check.
 */
public final class WebhookNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    private final MonitorConfig.Alerts config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private long sent;
    private long failed;

    private static final class Group {
        final Map<String, String> labels;
        final Instant firstSeen;
        Map<String, Alert> firing = new TreeMap<>();
        final Map<String, Alert> resolved = new TreeMap<>();
        final Map<String, Instant> resolvedAt = new LinkedHashMap<>();
        Instant lastSent;
        String lastDigest;

        Group(Map<String, String> labels, Instant firstSeen) {
            this.labels = labels;
            this.firstSeen = firstSeen;
        }

        String digest() {
            return firing.keySet() + "|" + resolved.keySet();
        }
    }

    public WebhookNotifier(MonitorConfig.Alerts config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    /** Takes the alerts firing now; sends what grouping, waiting and deduplication call for. */
    public synchronized void update(Instant now, Collection<Alert> firing) {
        Map<String, Map<String, Alert>> byGroup = new LinkedHashMap<>();
        for (Alert alert : firing) {
            Map<String, String> groupLabels = groupLabels(alert);
            byGroup.computeIfAbsent(groupLabels.toString(), k -> new TreeMap<>()).put(alert.identity(), alert);
            groups.computeIfAbsent(groupLabels.toString(), k -> new Group(groupLabels, now));
        }
        for (Map.Entry<String, Group> entry : groups.entrySet()) {
            Group group = entry.getValue();
            Map<String, Alert> firingNow = byGroup.getOrDefault(entry.getKey(), new TreeMap<>());
            for (Map.Entry<String, Alert> was : group.firing.entrySet()) {
                if (!firingNow.containsKey(was.getKey())) {
                    group.resolved.put(was.getKey(), was.getValue());
                    group.resolvedAt.put(was.getKey(), now);
                }
            }
            group.firing = firingNow;
            firingNow.keySet().forEach(k -> {
                group.resolved.remove(k);
                group.resolvedAt.remove(k);
            });
        }
        List<String> finished = new ArrayList<>();
        for (Map.Entry<String, Group> entry : groups.entrySet()) {
            Group group = entry.getValue();
            boolean changed = !group.digest().equals(group.lastDigest);
            boolean waited = group.lastSent != null || !now.isBefore(group.firstSeen.plus(config.groupWait()));
            boolean repeat = group.lastSent != null && !group.firing.isEmpty()
                    && !now.isBefore(group.lastSent.plus(config.repeatInterval()));
            if ((changed && waited) || repeat) {
                if (group.firing.isEmpty() && group.lastSent == null) {
                    finished.add(entry.getKey()); // fired and resolved within group.wait: nobody was told
                    continue;
                }
                if (send(entry.getKey(), group)) {
                    group.lastSent = now;
                    group.resolved.clear();
                    group.resolvedAt.clear();
                    group.lastDigest = group.digest();
                    if (group.firing.isEmpty()) {
                        finished.add(entry.getKey());
                    }
                }
            }
        }
        finished.forEach(groups::remove);
    }

    private Map<String, String> groupLabels(Alert alert) {
        Map<String, String> labels = new TreeMap<>();
        for (String name : config.groupBy()) {
            labels.put(name, alert.labels().getOrDefault(name, ""));
        }
        return labels;
    }

    private boolean send(String key, Group group) {
        if (config.webhook() == null) {
            return true; // no receiver configured: alerts show in /metrics and /health only
        }
        ObjectNode body = json.createObjectNode();
        body.put("version", "4");
        body.put("groupKey", "{}:" + key);
        body.put("truncatedAlerts", 0);
        body.put("status", group.firing.isEmpty() ? "resolved" : "firing");
        body.put("receiver", "cdc-lag-monitor");
        group.labels.forEach(body.putObject("groupLabels")::put);
        List<Alert> all = new ArrayList<>(group.firing.values());
        all.addAll(group.resolved.values());
        common(all, true).forEach(body.putObject("commonLabels")::put);
        common(all, false).forEach(body.putObject("commonAnnotations")::put);
        body.put("externalURL", "");
        ArrayNode alerts = body.putArray("alerts");
        for (Alert alert : group.firing.values()) {
            alerts.add(alert(alert, "firing", ZERO_TIME));
        }
        for (Map.Entry<String, Alert> resolved : group.resolved.entrySet()) {
            alerts.add(alert(resolved.getValue(), "resolved", group.resolvedAt.get(resolved.getKey()).toString()));
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(config.webhook())
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("answered " + response.statusCode() + ": " + response.body());
            }
            sent++;
            return true;
        } catch (IOException e) {
            failed++;
            LOG.warn("Alert webhook {} failed, retrying at the next check: {}", config.webhook(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ObjectNode alert(Alert alert, String status, String endsAt) {
        ObjectNode node = json.createObjectNode();
        node.put("status", status);
        alert.labels().forEach(node.putObject("labels")::put);
        alert.annotations().forEach(node.putObject("annotations")::put);
        node.put("startsAt", alert.startsAt().toString());
        node.put("endsAt", endsAt);
        node.put("generatorURL", "");
        node.put("fingerprint", Integer.toHexString(alert.identity().hashCode()));
        return node;
    }

    private static Map<String, String> common(List<Alert> alerts, boolean labels) {
        Map<String, String> common = null;
        for (Alert alert : alerts) {
            Map<String, String> values = labels ? alert.labels() : alert.annotations();
            if (common == null) {
                common = new TreeMap<>(values);
            } else {
                common.entrySet().removeIf(e -> !e.getValue().equals(values.get(e.getKey())));
            }
        }
        return common == null ? Map.of() : common;
    }

    public synchronized long sent() {
        return sent;
    }

    public synchronized long failed() {
        return failed;
    }

    URI webhook() {
        return config.webhook();
    }
}
