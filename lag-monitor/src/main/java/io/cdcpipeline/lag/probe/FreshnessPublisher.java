package io.cdcpipeline.lag.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes "complete up to" into each sink itself, so that dashboards and search users can show how fresh their numbers
 * are without asking the monitor. A copy is complete up to the newest heartbeat it shows (changes reach a sink in
 * commit order, so every table of that sink holds every change committed before that heartbeat), and a table with
 * changes still waiting in the sink only up to just before the oldest of them (when the sink's metrics are read).
 * <ul>
 *   <li>ClickHouse: table {@code cdc_freshness} in the sink's database, one row per table (and {@code *} for the
 *   whole sink) per publication, ReplacingMergeTree by {@code updated_at}: read it with {@code FINAL}.</li>
 *   <li>Elasticsearch: index {@code cdc_freshness}, one document per sink ({@code _id} the sink's name, index
 *   {@code *}) and one per index the sink's metrics name ({@code _id} sink:index), replaced each time.</li>
 * </ul>
 */
public final class FreshnessPublisher {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MonitorConfig.Sink sink;
    private final SinkHttp http;
    private boolean created;

    public FreshnessPublisher(MonitorConfig.Sink sink, SinkHttp http) {
        this.sink = sink;
        this.http = http;
    }

    /**
     * @param completeUpTo the sink's newest visible heartbeat
     * @param tables       "complete up to" of the sink's tables by the name its metrics give them (empty when
     *                     they are not read)
     */
    public void publish(Instant completeUpTo, Map<String, Instant> tables, Instant now)
            throws IOException, InterruptedException {
        switch (sink.kind()) {
            case CLICKHOUSE -> publishClickHouse(completeUpTo, tables, now);
            case ELASTICSEARCH -> publishElasticsearch(completeUpTo, tables, now);
        }
    }

    private String db() {
        return "`" + sink.database().replace("`", "\\`") + "`";
    }

    private void publishClickHouse(Instant sinkComplete, Map<String, Instant> states, Instant now)
            throws IOException, InterruptedException {
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
        for (String table : tables) {
            Instant completeUpTo = states.getOrDefault(sink.database() + "." + table, sinkComplete);
            double freshness = Duration.between(completeUpTo, now).toMillis() / 1000.0;
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
        HttpResponse<String> response = http.sendToAny(sink.urls(), url -> http.request(url + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8), Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(tsv)).build());
        if (response.statusCode() != 200) {
            throw new IOException("ClickHouse refused the freshness rows: " + response.body().strip());
        }
    }

    private String clickHouse(String sql) throws IOException, InterruptedException {
        HttpResponse<String> response = http.sendToAny(sink.urls(), url -> http.request(url + "/",
                Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(sql)).build());
        if (response.statusCode() != 200) {
            throw new IOException("ClickHouse refused " + sql + ": " + response.body().strip());
        }
        return response.body();
    }

    private void publishElasticsearch(Instant sinkComplete, Map<String, Instant> states, Instant now)
            throws IOException, InterruptedException {
        StringBuilder bulk = new StringBuilder();
        document(bulk, sink.name(), "*", sinkComplete, now);
        states.forEach((index, completeUpTo) -> document(bulk, sink.name() + ":" + index, index, completeUpTo, now));
        HttpResponse<String> response = http.sendToAny(sink.urls(), url -> http.request(url + "/_bulk?refresh=true",
                Duration.ofSeconds(10)).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(bulk.toString())).build());
        if (response.statusCode() / 100 != 2 || response.body().contains("\"errors\":true")) {
            throw new IOException("Elasticsearch refused the freshness documents: " + response.body().strip());
        }
    }

    private void document(StringBuilder bulk, String id, String index, Instant completeUpTo, Instant now) {
        try {
            bulk.append(JSON.writeValueAsString(Map.of("index", Map.of("_index", "cdc_freshness", "_id", id))))
                    .append('\n');
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("sink", sink.name());
            doc.put("index", index);
            doc.put("complete_up_to", completeUpTo.toString());
            doc.put("complete_up_to_ms", completeUpTo.toEpochMilli());
            doc.put("freshness_seconds", Duration.between(completeUpTo, now).toMillis() / 1000.0);
            doc.put("updated_at", now.toString());
            bulk.append(JSON.writeValueAsString(doc)).append('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
