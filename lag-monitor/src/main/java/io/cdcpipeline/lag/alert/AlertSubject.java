package io.cdcpipeline.lag.alert;

/**
 * What an alert or a health reason is about, worded once: a whole sink, or one table of a sink. Alert summaries, the
 * generated Prometheus rules and /health all say it this way.
 */
public record AlertSubject(String sink, String table) {

    /** A whole sink: its heartbeat. */
    public static AlertSubject sink(String sink) {
        return new AlertSubject(sink, null);
    }

    /** One table of a sink, as the sink's metrics name it (or a template such as {{ $labels.table }}). */
    public static AlertSubject table(String sink, String table) {
        return new AlertSubject(sink, table);
    }

    /** "Sink search (all tables)" or "Table shop.orders of sink analytics", to begin a sentence. */
    public String sentence() {
        return table == null ? "Sink " + sink + " (all tables)" : "Table " + table + " of sink " + sink;
    }

    /** The same, inside a sentence. */
    @Override
    public String toString() {
        return table == null ? "sink " + sink + " (all tables)" : "table " + table + " of sink " + sink;
    }
}
