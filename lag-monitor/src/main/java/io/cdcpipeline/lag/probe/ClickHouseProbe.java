package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The newest heartbeat in ClickHouse: {@code max(beat_ms)} of the heartbeat table the sink writes (any version of
 * the row: a newer one is visible to queries as soon as its insert is acknowledged). Plain HTTP, so it works against
 * every ClickHouse the sink supports.
 */
final class ClickHouseProbe implements SinkProbe {

    private final MonitorConfig.Sink sink;
    private final SinkHttp http;

    ClickHouseProbe(MonitorConfig.Sink sink, SinkHttp http) {
        this.sink = sink;
        this.http = http;
    }

    @Override
    public Instant newestHeartbeat() throws IOException, InterruptedException {
        String sql = "SELECT toString(max(beat_ms)), toString(count()) FROM `" + sink.database().replace("`", "\\`")
                + "`.`" + sink.target().replace("`", "\\`") + "` FORMAT TabSeparated";
        HttpResponse<String> response = http.client().send(http.request(sink.url() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8), Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            if (response.body().contains("doesn't exist") || response.body().contains("UNKNOWN_TABLE")) {
                return null; // the sink has not created the heartbeat table yet
            }
            throw new IOException("ClickHouse " + sink.url() + " answered " + response.statusCode() + ": "
                    + response.body().strip());
        }
        String[] parts = response.body().strip().split("\t");
        return parts.length < 2 || parts[1].equals("0") ? null : Instant.ofEpochMilli(Long.parseLong(parts[0]));
    }
}
