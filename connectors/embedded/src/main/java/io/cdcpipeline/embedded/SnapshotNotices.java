package io.cdcpipeline.embedded;

import io.cdcpipeline.core.position.Lsn;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debezium's snapshot notifications in the runner: turned on through its {@code sink} channel, which puts them into
 * the record stream in their place among the changes (the sinks read them: an empty table's completed scan is how a
 * sink learns to sweep it), and logged as the snapshot's progress.
 */
final class SnapshotNotices {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotNotices.class);
    static final String CHANNELS = "notification.enabled.channels";
    static final String TOPIC = "notification.sink.topic.name";

    /** Adds the {@code sink} channel to the source's notification channels, with a topic name if none is set. */
    static void enable(Properties source) {
        Set<String> channels = new LinkedHashSet<>();
        for (String channel : source.getProperty(CHANNELS, "").split(",")) {
            if (!channel.isBlank()) {
                channels.add(channel.trim());
            }
        }
        channels.add("sink");
        source.setProperty(CHANNELS, String.join(",", channels));
        if (source.getProperty(TOPIC, "").isBlank()) {
            source.setProperty(TOPIC, source.getProperty("topic.prefix", "cdc") + ".cdc_notifications");
        }
    }

    private final List<String> scanned = new ArrayList<>();

    void log(SourceRecord record) {
        SnapshotNotification notice = SnapshotNotification.of(record);
        if (!SnapshotNotification.INITIAL_SNAPSHOT.equals(notice.aggregateType())) {
            return;
        }
        String at = notice.lsn() == null ? "" : " at LSN " + Lsn.format(notice.lsn());
        switch (notice.type()) {
            case "STARTED" -> {
                scanned.clear();
                LOG.info("Snapshot started{}", at);
            }
            case SnapshotNotification.TABLE_SCAN_COMPLETED -> {
                scanned.add(notice.table() + " (" + notice.rowsScanned() + " rows)");
                LOG.info("Snapshot of {} read: {} rows", notice.table(), notice.rowsScanned());
            }
            case "COMPLETED" -> LOG.info("Snapshot completed{}: {}; the sinks sweep each table once its rows are in",
                    at, scanned.isEmpty() ? "no table" : String.join(", ", scanned));
            case "ABORTED" -> LOG.warn("Snapshot aborted{}; it is taken again on the next start", at);
            default -> { }
        }
    }
}
