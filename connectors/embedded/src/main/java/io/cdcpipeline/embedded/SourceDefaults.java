package io.cdcpipeline.embedded;

import java.util.Properties;

/**
 * The runner's defaults for Debezium settings the pipeline file leaves out, where Debezium's own do not suit a
 * pipeline that writes every change to two sinks; a setting in the file always wins.
 */
public final class SourceDefaults {

    /** Debezium's setting of the operations it leaves out of the stream. */
    static final String SKIPPED_OPERATIONS = "skipped.operations";
    static final String POLL_INTERVAL_MS = "poll.interval.ms";
    static final String MAX_BATCH_SIZE = "max.batch.size";
    static final String MAX_QUEUE_SIZE = "max.queue.size";
    static final String MAX_QUEUE_SIZE_IN_BYTES = "max.queue.size.in.bytes";

    private SourceDefaults() {
    }

    public static void apply(Properties props) {
        // Debezium skips truncates unless told otherwise; a copy that keeps the rows Postgres truncated is not a copy.
        props.putIfAbsent(SKIPPED_OPERATIONS, "none");
        // Debezium's Postgres connector sleeps this long whenever the replication stream has nothing pending: its
        // default (500 ms) adds up to half a second to the freshness of changes that come one by one.
        props.putIfAbsent(POLL_INTERVAL_MS, "100");
        // Larger batches than Debezium's 2048 per poll: a backlog reaches the sinks in fewer, larger writes.
        props.putIfAbsent(MAX_BATCH_SIZE, "8192");
        props.putIfAbsent(MAX_QUEUE_SIZE, "32768");
        // Bounded in bytes as well as in records, so that large rows cannot fill the heap while they wait (the
        // runner's -Xmx is 512 MB; each sink's own buffer is bounded by buffer.max.bytes).
        props.putIfAbsent(MAX_QUEUE_SIZE_IN_BYTES, Long.toString(64L << 20));
    }
}
