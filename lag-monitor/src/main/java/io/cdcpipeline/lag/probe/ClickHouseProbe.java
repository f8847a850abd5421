package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The newest heartbeat in ClickHouse: {@code max(beat_ms)} of the heartbeat table the sink writes (any version of
 * the row: a newer one is visible to queries as soon as its insert is acknowledged). Plain HTTP, so it works against
 * every ClickHouse the sink supports. On a cluster ({@code url} listing the replicas) each replica is read: the sink
 * is as fresh as the newest heartbeat any replica shows, and each replica's delay is how far its own newest is
 * behind that (replication lag, or a replica that is down).
 */
final class ClickHouseProbe implements SinkProbe {

    private final MonitorConfig.Sink sink;
    private final SinkHttp http;
    private final Map<String, Duration> delays = new LinkedHashMap<>();

    ClickHouseProbe(MonitorConfig.Sink sink, SinkHttp http) {
        this.sink = sink;
        this.http = http;
    }

    @Override
    public Instant newestHeartbeat() throws IOException, InterruptedException {
        Map<String, Instant> newest = new LinkedHashMap<>();
        IOException failure = null;
        for (String url : sink.urls()) {
            try {
                newest.put(url, newestOn(url));
            } catch (IOException e) {
                failure = e;
                newest.put(url, null);
            }
        }
        Instant any = newest.values().stream().filter(v -> v != null).max(Instant::compareTo).orElse(null);
        if (any == null && failure != null) {
            throw failure;
        }
        delays.clear();
        if (sink.urls().size() > 1 && any != null) {
            // A replica without the heartbeat (down, or not caught up with it yet) is as far behind as the newest.
            newest.forEach((url, seen) -> delays.put(url, seen == null ? null : Duration.between(seen, any)));
        }
        return any;
    }

    @Override
    public Map<String, Duration> replicaDelays() {
        return new LinkedHashMap<>(delays);
    }

    private Instant newestOn(String url) throws IOException, InterruptedException {
        String sql = "SELECT toString(max(beat_ms)), toString(count()) FROM `" + sink.database().replace("`", "\\`")
                + "`.`" + sink.target().replace("`", "\\`") + "` FORMAT TabSeparated";
        HttpResponse<String> response = http.client().send(http.request(url + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8), Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            if (response.body().contains("doesn't exist") || response.body().contains("UNKNOWN_TABLE")) {
                return null; // the sink has not created the heartbeat table yet
            }
            throw new IOException("ClickHouse " + url + " answered " + response.statusCode() + ": "
                    + response.body().strip());
        }
        String[] parts = response.body().strip().split("\t");
        return parts.length < 2 || parts[1].equals("0") ? null : Instant.ofEpochMilli(Long.parseLong(parts[0]));
    }
}
