package io.cdcpipeline.lag.alert;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert as Alertmanager models it: labels identify it (two alerts with the same labels are the same alert),
 * annotations describe it, and it fires from {@code startsAt} until it resolves.
 */
public record Alert(Map<String, String> labels, Map<String, String> annotations, Instant startsAt) {

    public Alert {
        labels = new TreeMap<>(labels);
        annotations = new TreeMap<>(annotations);
    }

    /** Alertmanager's fingerprint role: the identity of an alert is its label set. */
    public String identity() {
        return labels.toString();
    }
}
