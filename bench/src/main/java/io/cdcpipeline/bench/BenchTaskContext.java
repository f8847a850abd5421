package io.cdcpipeline.bench;

import io.cdcpipeline.core.sink.StandaloneSinkTaskContext;
import java.util.Map;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;

/**
 * The little of a Connect worker a sink task needs in a benchmark: a dead-letter path that must stay unused, and
 * real plugin metrics, so their cost is part of the figures.
 */
final class BenchTaskContext {

    private final Metrics metrics = new Metrics();
    private final StandaloneSinkTaskContext context = new StandaloneSinkTaskContext(Map.of(), (record, error) -> {
        throw new IllegalStateException("a benchmark record was dead-lettered: " + error.getMessage(), error);
    }, new PluginMetricsImpl(metrics, Map.of("connector", "bench", "task", "0")));

    StandaloneSinkTaskContext context() {
        return context;
    }

    /** A metric the sink recorded, e.g. batches-written-total. */
    double metric(String name) {
        return metrics.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).findFirst().orElse(Double.NaN);
    }
}
