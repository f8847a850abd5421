package io.cdcpipeline.lag;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Failures of the monitor's parts (a sink's probe, the slot, Connect, Kafka, a heartbeat, a consistency check): each
 * counted (exported as a metric), and logged once when it starts failing, again only when its reason changes, and
 * once when it works again. A probe failing every 5 s for an hour writes one line, not 720, and the line is there.
 */
final class ProbeFailures {

    private final Logger log;
    private final Map<String, Long> counts = new LinkedHashMap<>();
    /** The reason each failing part gave last; absent while it works. */
    private final Map<String, String> failing = new LinkedHashMap<>();

    ProbeFailures(Logger log) {
        this.log = log;
    }

    /** {@code part} failed: counted, and logged when it was working before or now fails for another reason. */
    synchronized void failed(String part, String what, Exception e) {
        counts.merge(part, 1L, Long::sum);
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        String before = failing.put(part, reason);
        if (!Objects.equals(before, reason)) {
            log.warn("Lag monitor: {} failed: {} (logged again only when the reason changes or it recovers)", what,
                    reason);
        }
    }

    /** {@code part} worked: logged once if it had been failing. */
    synchronized void worked(String part, String what) {
        if (failing.remove(part) != null) {
            log.info("Lag monitor: {} works again", what);
        }
    }

    /** Failures so far, by part. */
    synchronized Map<String, Long> counts() {
        return Map.copyOf(counts);
    }
}
