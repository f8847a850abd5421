package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.time.Instant;

/** Reads the newest heartbeat a sink shows its users. */
public interface SinkProbe {

    /** The commit time of the newest visible heartbeat; null when there is none yet. */
    Instant newestHeartbeat() throws IOException, InterruptedException;

    static SinkProbe of(MonitorConfig.Sink sink, SinkHttp http) {
        return switch (sink.kind()) {
            case CLICKHOUSE -> new ClickHouseProbe(sink, http);
            case ELASTICSEARCH -> new ElasticsearchProbe(sink, http);
        };
    }
}
