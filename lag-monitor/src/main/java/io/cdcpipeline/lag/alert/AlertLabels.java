package io.cdcpipeline.lag.alert;

import io.cdcpipeline.lag.slo.SloTracker;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels an alert is identified by, typed: its name, the sink (or connector) it concerns, the table ({@code *}
 * for a whole sink), the SLO (empty for alerts no SLO raises) and the severity. {@code connector} is set only for
 * alerts about a Connect connector.
 */
public record AlertLabels(String alertname, String sink, String table, String slo, String severity, String connector) {

    /** An alert an SLO raises about a sink or one of its tables. */
    public static AlertLabels ofSlo(String alertname, String sink, String table, String slo, String severity) {
        return new AlertLabels(alertname, sink, table, slo, severity, null);
    }

    /** An alert about a Connect connector as a whole; the connector stands in the sink label too, for grouping. */
    public static AlertLabels ofConnector(String alertname, String connector, String severity) {
        return new AlertLabels(alertname, connector, SloTracker.WHOLE_SINK, "", severity, connector);
    }

    /** An alert about a table of a sink that no SLO raises (a consistency drift). */
    public static AlertLabels ofTable(String alertname, String sink, String table, String severity) {
        return new AlertLabels(alertname, sink, table, "", severity, null);
    }

    public boolean fromSlo() {
        return !slo.isEmpty();
    }

    public Map<String, String> map() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", alertname);
        if (connector != null) {
            labels.put("connector", connector);
        }
        labels.put("sink", sink);
        labels.put("table", table);
        labels.put("slo", slo);
        labels.put("severity", severity);
        return labels;
    }
}
