package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Reads a sink's per-table metrics over remote JMX, from the process that runs it (an embedded runner or a Connect
 * worker: both register them as {@code kafka.connect:type=plugins,connector=<c>,task=<n>,table|index=<target>}).
 * Several tasks may write one target; their figures are combined: pending changes add up, the oldest pending is the
 * oldest of any task, the watermark is the newest. The connection is kept and opened again after a failure.
 */
public final class SinkTablesProbe implements AutoCloseable {

    /** One target's figures: times in epoch ms, 0 when unknown (no change applied yet, nothing pending). */
    public record TableMetrics(String table, long watermarkMs, long pending, long oldestPendingMs) {
    }

    private final MonitorConfig.SinkMetrics source;
    private final String tag;
    private JMXConnector connector;

    public SinkTablesProbe(MonitorConfig.Sink sink) {
        this.source = sink.metrics();
        this.tag = sink.kind() == MonitorConfig.Sink.Kind.CLICKHOUSE ? "table" : "index";
    }

    /** The sink's targets by name, sorted. */
    public Map<String, TableMetrics> read() throws IOException {
        try {
            return read(connection());
        } catch (IOException | JMException | RuntimeException e) {
            close();
            throw new IOException("reading the metrics of connector " + source.connector() + " at " + source.jmxUrl()
                    + " failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
    }

    private Map<String, TableMetrics> read(MBeanServerConnection server) throws IOException, JMException {
        String watermark = tag + "-source-watermark-ms";
        String pending = tag + "-pending-records";
        String oldest = tag + "-oldest-pending-source-ms";
        Map<String, long[]> byTarget = new TreeMap<>();
        for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null)) {
            String target = name.getKeyProperty(tag);
            if (target == null || name.getKeyProperty("task") == null
                    || !source.connector().equals(unquote(name.getKeyProperty("connector")))) {
                continue;
            }
            Map<String, Long> values = new LinkedHashMap<>();
            AttributeList attributes = server.getAttributes(name, new String[] {watermark, pending, oldest});
            for (Attribute attribute : attributes.asList()) {
                if (attribute.getValue() instanceof Number number) {
                    values.put(attribute.getName(), number.longValue());
                }
            }
            long[] sum = byTarget.computeIfAbsent(unquote(target), t -> new long[3]);
            sum[0] = Math.max(sum[0], values.getOrDefault(watermark, 0L));
            sum[1] += values.getOrDefault(pending, 0L);
            long oldestMs = values.getOrDefault(oldest, 0L);
            if (oldestMs > 0 && (sum[2] == 0 || oldestMs < sum[2])) {
                sum[2] = oldestMs;
            }
        }
        Map<String, TableMetrics> out = new LinkedHashMap<>();
        byTarget.forEach((target, v) -> out.put(target, new TableMetrics(target, v[0], v[1], v[2])));
        return out;
    }

    private static String unquote(String value) {
        return value != null && value.startsWith("\"") ? ObjectName.unquote(value) : value;
    }

    private MBeanServerConnection connection() throws IOException {
        if (connector == null) {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(source.jmxUrl()),
                    Map.of("jmx.remote.x.request.waiting.timeout", 10_000L));
        }
        return connector.getMBeanServerConnection();
    }

    @Override
    public void close() {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException e) {
                // a broken connection is dropped either way
            }
            connector = null;
        }
    }
}
