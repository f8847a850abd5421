package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes "complete up to" into each sink itself, so that dashboards and search users can show how fresh their numbers
 * are without asking the monitor. A copy is complete up to the newest heartbeat it shows: changes reach a sink in
 * commit order, so every table of that sink holds every change committed before that heartbeat.
 * <ul>
 *   <li>ClickHouse: table {@code cdc_freshness} in the sink's database, one row per table (and {@code *} for the
 *   whole sink) per publication, ReplacingMergeTree by {@code updated_at}: read it with {@code FINAL}.</li>
 *   <li>Elasticsearch: index {@code cdc_freshness}, one document per sink and index, replaced each time.</li>
 * </ul>
 */
public final class FreshnessPublisher {

    private final MonitorConfig.Sink sink;
    private final HttpClient http;
    private boolean created;

    public FreshnessPublisher(MonitorConfig.Sink sink, HttpClient http) {
        this.sink = sink;
        this.http = http;
    }

    public void publish(Instant completeUpTo, Instant now) throws IOException, InterruptedException {
        switch (sink.kind()) {
            case CLICKHOUSE -> publishClickHouse(completeUpTo, now);
            case ELASTICSEARCH -> publishElasticsearch(completeUpTo, now);
        }
    }

    private String db() {
        return "`" + sink.database().replace("`", "\\`") + "`";
    }

    private void publishClickHouse(Instant completeUpTo, Instant now) throws IOException, InterruptedException {
        if (!created) {
            clickHouse("CREATE TABLE IF NOT EXISTS " + db() + ".cdc_freshness (sink String, table String, "
                    + "complete_up_to DateTime, complete_up_to_ms Int64, freshness_seconds Float64, updated_at DateTime, "
                    + "updated_at_ms Int64) ENGINE = ReplacingMergeTree(updated_at_ms) ORDER BY (sink, table)");
            created = true;
        }
        List<String> tables = new ArrayList<>(List.of("*"));
        String listed = clickHouse("SELECT name FROM system.tables WHERE database = '" + sink.database().replace("'", "\\'")
                + "' AND engine LIKE '%MergeTree' AND name != 'cdc_freshness' FORMAT TabSeparated");
        for (String line : listed.split("\n")) {
            if (!line.isBlank()) {
                tables.add(line.strip());
            }
        }
        StringBuilder rows = new StringBuilder();
        double freshness = Duration.between(completeUpTo, now).toMillis() / 1000.0;
        for (String table : tables) {
            rows.append(escape(sink.name())).append('\t').append(escape(table)).append('\t')
                    .append(completeUpTo.getEpochSecond()).append('\t').append(completeUpTo.toEpochMilli()).append('\t')
                    .append(freshness).append('\t').append(now.getEpochSecond()).append('\t').append(now.toEpochMilli())
                    .append('\n');
        }
        clickHouseInsert(rows.toString());
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    private void clickHouseInsert(String tsv) throws IOException, InterruptedException {
        String sql = "INSERT INTO " + db() + ".cdc_freshness (sink, table, complete_up_to, complete_up_to_ms, "
                + "freshness_seconds, updated_at, updated_at_ms) FORMAT TabSeparated";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(tsv)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("ClickHouse refused the freshness rows: " + response.body().strip());
        }
    }

    private String clickHouse(String sql) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(sql)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("ClickHouse refused " + sql + ": " + response.body().strip());
        }
        return response.body();
    }

    private void publishElasticsearch(Instant completeUpTo, Instant now) throws IOException, InterruptedException {
        String doc = String.format(java.util.Locale.ROOT, "{\"sink\":\"%s\",\"index\":\"*\",\"complete_up_to\":\"%s\","
                        + "\"complete_up_to_ms\":%d,\"freshness_seconds\":%.3f,\"updated_at\":\"%s\"}", sink.name(),
                completeUpTo, completeUpTo.toEpochMilli(), Duration.between(completeUpTo, now).toMillis() / 1000.0, now);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sink.url() + "/cdc_freshness/_doc/"
                        + URLEncoder.encode(sink.name(), StandardCharsets.UTF_8) + "?refresh=true"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(doc)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("Elasticsearch refused the freshness document: " + response.body().strip());
        }
    }
}
