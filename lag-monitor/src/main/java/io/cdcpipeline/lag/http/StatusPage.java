package io.cdcpipeline.lag.http;

import io.cdcpipeline.lag.LagMonitor;
import io.cdcpipeline.lag.slo.SloTracker;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The monitor's status page for people: per SLO (of a sink, or of each of its tables) the freshness, levels, stall,
 * error budget and "complete up to"; per table its freshness and the changes waiting in the sink; and per SLO of a
 * whole sink a chart of freshness over the last hour with its warning and critical lines. Rendered on the
 * server as HTML with inline SVG, so it needs no script and no network, and shows the same in any browser.
 */
final class StatusPage {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int WIDTH = 560;
    private static final int HEIGHT = 140;

    private StatusPage() {
    }

    static String render(LagMonitor monitor, Instant now) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>CDC freshness</title>
                <meta http-equiv="refresh" content="10">
                <style>
                body{font-family:sans-serif;margin:24px;color:#222}
                table{border-collapse:collapse;margin-bottom:24px}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:left}
                .ok{color:#17803d}.warning{color:#b26a00}.critical{color:#c62828;font-weight:bold}
                .chart{display:inline-block;margin:0 24px 24px 0}h2{font-size:15px;margin:4px 0}
                </style></head><body>
                """);
        List<String> reasons = monitor.unhealthyReasons();
        html.append("<h1>CDC freshness <span class=\"").append(reasons.isEmpty() ? "ok\">healthy" : "critical\">unhealthy")
                .append("</span></h1>\n");
        for (String reason : reasons) {
            html.append("<p class=\"critical\">").append(escape(reason)).append("</p>\n");
        }
        html.append("<table id=\"slos\"><tr><th>sink</th><th>SLO</th><th>table</th><th>freshness</th><th>warning"
                + "</th><th>critical</th><th>level</th><th>stalled</th><th>error budget left</th><th>complete up to"
                + " (UTC)</th></tr>\n");
        for (SloTracker tracker : monitor.trackers()) {
            SloTracker.Reading reading = tracker.last();
            String level = reading == null ? "-" : reading.level().name().toLowerCase(Locale.ROOT);
            html.append(String.format(Locale.ROOT, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                            + "<td>%d s</td><td>%d s</td><td>%s</td><td>%s</td><td>%.1f %%</td><td>%s</td></tr>%n",
                    level, escape(tracker.slo().sink()), escape(tracker.slo().name()),
                    tracker.slo().wholeSink() ? "all" : escape(tracker.table()),
                    reading == null ? "-" : String.format(Locale.ROOT, "%.1f s", reading.freshness().toMillis() / 1000.0),
                    tracker.slo().warning().toSeconds(), tracker.slo().critical().toSeconds(), level,
                    reading != null && reading.stalled() ? "yes" : "no", tracker.errorBudgetLeft() * 100,
                    tracker.newestVisible() == null ? "-" : TIME.format(tracker.newestVisible())));
        }
        html.append("</table>\n");
        var tables = monitor.tables();
        if (!tables.isEmpty()) {
            html.append("<table id=\"tables\"><tr><th>sink</th><th>table</th><th>complete up to (UTC)</th>"
                    + "<th>freshness</th><th>changes waiting</th><th>oldest waiting (UTC)</th><th>newest applied (UTC)"
                    + "</th></tr>\n");
            tables.forEach((sink, states) -> states.forEach(table -> html.append(String.format(Locale.ROOT,
                    "<tr class=\"%s\" data-table=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%.1f s</td><td>%d</td>"
                            + "<td>%s</td><td>%s</td></tr>%n", table.waiting() ? "warning" : "ok", escape(table.table()),
                    escape(sink), escape(table.table()), TIME.format(table.completeUpTo()),
                    table.freshness().toMillis() / 1000.0, table.pending(),
                    table.oldestPending() == null ? "-" : TIME.format(table.oldestPending()),
                    table.watermark() == null ? "-" : TIME.format(table.watermark())))));
            html.append("</table>\n");
        }
        if (monitor.consistencyCheckedAt() != null) {
            html.append("<h2>Consistency with Postgres, checked ").append(TIME.format(monitor.consistencyCheckedAt()))
                    .append(" UTC</h2>\n<table id=\"consistency\"><tr><th>sink</th><th>table</th><th>status</th>"
                            + "<th>drifted rows</th><th>rows compared</th><th>note</th></tr>\n");
            for (var r : monitor.consistency()) {
                html.append(String.format(Locale.ROOT, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%d</td>"
                                + "<td>%d</td><td>%s</td></tr>%n", r.drifted() ? "critical" : "ok", escape(r.sink()),
                        escape(r.table().toString()), r.status().name().toLowerCase(Locale.ROOT),
                        LagMonitor.driftedRows(r), r.rowsCompared(), escape(r.note())));
            }
            html.append("</table>\n");
        }
        for (SloTracker tracker : monitor.trackers()) {
            if (!tracker.slo().wholeSink()) {
                continue; // one chart per sink; tables are in the table above
            }
            html.append("<div class=\"chart\"><h2>").append(escape(tracker.slo().sink())).append(": freshness, last hour"
                    + "</h2>\n").append(chart(tracker, now)).append("</div>\n");
        }
        html.append("<p>Generated ").append(now).append(". Data complete up to the newest heartbeat each sink shows."
                + "</p></body></html>\n");
        return html.toString();
    }

    /** Freshness over the last hour as an SVG polyline, with the warning and critical levels as dashed lines. */
    private static String chart(SloTracker tracker, Instant now) {
        List<SloTracker.Reading> history = tracker.history();
        double critical = tracker.slo().critical().toMillis() / 1000.0;
        double max = critical * 1.5;
        for (SloTracker.Reading reading : history) {
            max = Math.max(max, reading.freshness().toMillis() / 1000.0 * 1.1);
        }
        Instant start = now.minus(Duration.ofHours(1));
        StringBuilder points = new StringBuilder();
        for (SloTracker.Reading reading : history) {
            double x = Duration.between(start, reading.at()).toMillis() / 3_600_000.0 * WIDTH;
            double y = HEIGHT - reading.freshness().toMillis() / 1000.0 / max * HEIGHT;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        double warningY = HEIGHT - tracker.slo().warning().toMillis() / 1000.0 / max * HEIGHT;
        double criticalY = HEIGHT - critical / max * HEIGHT;
        return String.format(Locale.ROOT, """
                <svg class="freshness" data-sink="%s" width="%d" height="%d" viewBox="0 0 %d %d" \
                xmlns="http://www.w3.org/2000/svg" role="img" aria-label="freshness of %s over the last hour">
                <rect width="%d" height="%d" fill="#fafafa" stroke="#ccc"/>
                <line x1="0" x2="%d" y1="%.1f" y2="%.1f" stroke="#b26a00" stroke-dasharray="4"/>
                <line x1="0" x2="%d" y1="%.1f" y2="%.1f" stroke="#c62828" stroke-dasharray="4"/>
                <text x="4" y="%.1f" font-size="10" fill="#c62828">critical %d s</text>
                <text x="4" y="12" font-size="10" fill="#555">max %.0f s</text>
                <polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="%s"/>
                </svg>""", escape(tracker.slo().sink()), WIDTH, HEIGHT, WIDTH, HEIGHT, escape(tracker.slo().sink()),
                WIDTH, HEIGHT, WIDTH, warningY, warningY, WIDTH, criticalY, criticalY, criticalY - 3,
                tracker.slo().critical().toSeconds(), max, points.toString().strip());
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
