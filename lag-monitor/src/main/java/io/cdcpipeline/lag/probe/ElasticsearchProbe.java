package io.cdcpipeline.lag.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The newest heartbeat search users can see: a search (not a realtime get) for the heartbeat document, so it counts
 * only what a refresh has made searchable.
 */
final class ElasticsearchProbe implements SinkProbe {

    private final MonitorConfig.Sink sink;
    private final SinkHttp http;
    private final ObjectMapper json = new ObjectMapper();

    ElasticsearchProbe(MonitorConfig.Sink sink, SinkHttp http) {
        this.sink = sink;
        this.http = http;
    }

    @Override
    public Instant newestHeartbeat() throws IOException, InterruptedException {
        HttpResponse<String> response = http.sendToAny(sink.urls(), url -> http.request(url + "/" + sink.target()
                + "/_search?size=1&_source=beat_ms&sort=beat_ms:desc", Duration.ofSeconds(5)).GET().build());
        if (response.statusCode() == 404) {
            return null; // the sink has not created the heartbeat index yet
        }
        if (response.statusCode() != 200) {
            throw new IOException("Elasticsearch " + response.uri().getAuthority() + " answered " + response.statusCode() + ": "
                    + response.body().strip());
        }
        JsonNode hits = json.readTree(response.body()).path("hits").path("hits");
        if (hits.isEmpty()) {
            return null;
        }
        return Instant.ofEpochMilli(hits.get(0).path("_source").path("beat_ms").asLong());
    }
}
