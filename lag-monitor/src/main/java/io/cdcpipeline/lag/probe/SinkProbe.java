package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Reads the newest heartbeat a sink shows its users. */
public interface SinkProbe {

    /** The commit time of the newest visible heartbeat; null when there is none yet. */
    Instant newestHeartbeat() throws IOException, InterruptedException;

    /**
     * For a sink with several replicas, how far each one's newest heartbeat is behind the newest any shows, by URL,
     * as of the last {@link #newestHeartbeat}; null for a replica that did not answer. Empty for one endpoint.
     */
    default Map<String, Duration> replicaDelays() {
        return Map.of();
    }

    static SinkProbe of(MonitorConfig.Sink sink, SinkHttp http) {
        return switch (sink.kind()) {
            case CLICKHOUSE -> new ClickHouseProbe(sink, http);
            case ELASTICSEARCH -> new ElasticsearchProbe(sink, http);
        };
    }
}
