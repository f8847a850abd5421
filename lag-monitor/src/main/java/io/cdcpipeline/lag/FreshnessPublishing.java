package io.cdcpipeline.lag;

import io.cdcpipeline.lag.Observation.SinkState;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.lag.probe.FreshnessPublisher;
import io.cdcpipeline.lag.probe.SinkHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes, every {@link #INTERVAL}, how fresh each sink is into the sink itself ("complete up to", per sink and per
 * table), so that BI and search users see it beside their data. A sink that cannot be read is skipped that time.
 */
final class FreshnessPublishing {

    /** How often "complete up to" is written into the sinks. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Map<String, FreshnessPublisher> publishers = new LinkedHashMap<>();
    private final ProbeFailures failures;
    private Instant lastPublished = Instant.EPOCH;

    FreshnessPublishing(MonitorConfig config, Map<String, SinkHttp> http, ProbeFailures failures) {
        this.failures = failures;
        config.sinks().forEach((name, sink) -> publishers.put(name, new FreshnessPublisher(sink, http.get(name))));
    }

    void publishIfDue(Observation seen) {
        if (seen.at().isBefore(lastPublished.plus(INTERVAL))) {
            return;
        }
        lastPublished = seen.at();
        publishers.forEach((name, publisher) -> {
            SinkState sink = seen.sinks().get(name);
            if (sink.newestVisible() == null || sink.problem() != null) {
                return;
            }
            String what = "writing freshness into sink " + name;
            try {
                Map<String, Instant> complete = new LinkedHashMap<>();
                seen.tables().getOrDefault(name, Map.of()).forEach((t, state) -> complete.put(t, state.completeUpTo()));
                publisher.publish(sink.newestVisible(), complete, seen.at());
                failures.worked("publish:" + name, what);
            } catch (Exception e) {
                failures.failed("publish:" + name, what, e);
            }
        });
    }
}
