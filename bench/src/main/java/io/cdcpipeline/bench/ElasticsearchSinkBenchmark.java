package io.cdcpipeline.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConfig;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkTask;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.http.HttpHost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.util.EntityUtils;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Indexes the same documents through the Elasticsearch sink task (puts of a Debezium batch, then a commit) and
 * through raw {@code _bulk} requests built by hand from typed values, with the same request size, the same number of
 * requests in flight and the same external versions; alternating, several rounds. Run with
 * {@code bin/cdc bench elasticsearch}.
 */
@Command(name = "elasticsearch-sink-benchmark", mixinStandardHelpOptions = true)
public final class ElasticsearchSinkBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", required = true, description = "Elasticsearch HTTP URL")
    String url;

    @Option(names = "--rows", defaultValue = "100000", description = "documents per round and path")
    int rows;

    @Option(names = "--rounds", defaultValue = "5", description = "rounds; each writes both paths once")
    int rounds;

    @Option(names = "--put-size", defaultValue = "2048", description = "records per put (Debezium's max.batch.size)")
    int putSize;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    /** The sink's defaults, used by both paths. */
    private static final int ACTIONS_PER_REQUEST = 1000;
    private static final int IN_FLIGHT = 2;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ElasticsearchSinkBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<OrderChanges.Row> data = OrderChanges.rows(rows, 42);
        List<SinkRecord> records = OrderChanges.records(data, "bench.public.orders");
        String prefix = "bench_" + System.currentTimeMillis();
        List<Double> sinkRates = new ArrayList<>();
        List<Double> rawRates = new ArrayList<>();
        try (RestClient rest = RestClient.builder(HttpHost.create(url)).build()) {
            String version = JSON.readTree(EntityUtils.toString(rest.performRequest(
                    new Request("GET", "/_nodes/_local?filter_path=nodes.*.version")).getEntity()))
                    .findValue("version").asText();
            runSink(prefix + "_warmup", records);
            try {
                for (int round = 1; round <= rounds; round++) {
                    String alias = prefix + "_sink_" + round;
                    double sinkRate = rows / runSink(alias, records);
                    String raw = prefix + "_raw_" + round;
                    copyIndex(rest, alias + "_v1", raw);
                    double rawRate = rows / runRaw(rest, raw, data);
                    verifySame(rest, alias, raw);
                    sinkRates.add(sinkRate);
                    rawRates.add(rawRate);
                    System.out.printf(Locale.ROOT, "round %d: sink %,.0f docs/s, raw _bulk %,.0f docs/s, ratio %.2f%n",
                            round, sinkRate, rawRate, sinkRate / rawRate);
                    rest.performRequest(new Request("DELETE", "/" + alias + "_v1," + raw));
                }
            } finally {
                rest.performRequest(new Request("DELETE", "/" + prefix + "*?expand_wildcards=all"));
            }
            String setup = String.format(Locale.ROOT, "Elasticsearch %s (single node, heap 512m) on the same machine. "
                    + "`bin/cdc bench elasticsearch` indexed %,d orders documents per path and round (sink: "
                    + "`ElasticsearchSinkTask.put` in batches of %d Debezium records, then `preCommit`; raw: `_bulk` "
                    + "bodies built by hand from typed values), both with %d actions per request, %d requests in "
                    + "flight and external versions, into indices with the same mapping; alternating, %d rounds after "
                    + "a warm-up; both indices are checked to hold the same documents.", version, rows, putSize,
                    ACTIONS_PER_REQUEST, IN_FLIGHT, rounds);
            BenchmarkResult result = new BenchmarkResult("elasticsearch-sink-benchmark",
                    "Elasticsearch sink vs raw `_bulk`", setup, rounds, sinkRates, rawRates);
            System.out.println(result.summary());
            if (report != null) {
                result.writeInto(report);
                System.out.println("written to " + report);
            }
        }
        return 0;
    }

    private double runSink(String alias, List<SinkRecord> batch) {
        ElasticsearchSinkTask task = new ElasticsearchSinkTask();
        task.initialize(new BenchTaskContext().context());
        task.start(Map.of(ElasticsearchSinkConfig.URLS, url, "index.override.public.orders.name", alias,
                ElasticsearchSinkConfig.BATCH_MAX_ACTIONS, Integer.toString(ACTIONS_PER_REQUEST),
                ElasticsearchSinkConfig.MAX_IN_FLIGHT, Integer.toString(IN_FLIGHT)));
        try {
            long start = System.nanoTime();
            for (int from = 0; from < batch.size(); from += putSize) {
                task.put(batch.subList(from, Math.min(batch.size(), from + putSize)));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = task.preCommit(
                    Map.of(new TopicPartition("bench.public.orders", 0), new OffsetAndMetadata(batch.size())));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (committed.isEmpty()) {
                throw new IllegalStateException("the sink acknowledged nothing");
            }
            return seconds;
        } finally {
            task.stop();
        }
    }

    private double runRaw(RestClient rest, String index, List<OrderChanges.Row> data) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
        try {
            long start = System.nanoTime();
            List<Future<?>> requests = new ArrayList<>();
            for (int from = 0; from < data.size(); from += ACTIONS_PER_REQUEST) {
                byte[] body = bulkBody(index, data.subList(from, Math.min(data.size(), from + ACTIONS_PER_REQUEST)));
                requests.add(pool.submit(() -> {
                    Request request = new Request("POST", "/_bulk");
                    request.setEntity(new ByteArrayEntity(body, ContentType.create("application/x-ndjson")));
                    Response response = rest.performRequest(request);
                    if (EntityUtils.toString(response.getEntity()).contains("\"errors\":true")) {
                        throw new IllegalStateException("raw _bulk had item errors");
                    }
                    return null;
                }));
                while (requests.stream().filter(f -> !f.isDone()).count() >= IN_FLIGHT) {
                    requests.stream().filter(f -> !f.isDone()).findFirst().orElseThrow().get();
                }
            }
            for (Future<?> request : requests) {
                request.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] bulkBody(String index, List<OrderChanges.Row> rows) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 256);
        for (OrderChanges.Row row : rows) {
            out.writeBytes(("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\"" + row.id() + "\",\"version\":"
                    + (row.lsn() * 2 + 1) + ",\"version_type\":\"external\"}}\n").getBytes(StandardCharsets.UTF_8));
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", row.id());
            doc.put("customer_id", row.customerId());
            doc.put("amount", row.amount().toPlainString());
            doc.put("status", row.status());
            doc.put("note", row.note());
            doc.put("created_at", row.createdAt().toString());
            out.writeBytes(JSON.writeValueAsBytes(doc));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** A new index with the settings and mapping of {@code source}, for the raw path. */
    private static void copyIndex(RestClient rest, String source, String target) throws Exception {
        var mapping = JSON.readTree(EntityUtils.toString(rest.performRequest(
                new Request("GET", "/" + source + "/_mapping")).getEntity())).get(source).get("mappings");
        Request create = new Request("PUT", "/" + target);
        create.setJsonEntity("{\"settings\":{\"index.gc_deletes\":\"1h\"},\"mappings\":" + mapping + "}");
        rest.performRequest(create);
    }

    private static void verifySame(RestClient rest, String sink, String raw) throws Exception {
        rest.performRequest(new Request("POST", "/" + sink + "," + raw + "/_refresh"));
        long a = count(rest, sink);
        long b = count(rest, raw);
        if (a != b) {
            throw new IllegalStateException("the two paths indexed different counts: sink " + a + ", raw " + b);
        }
    }

    private static long count(RestClient rest, String index) throws Exception {
        return JSON.readTree(EntityUtils.toString(rest.performRequest(new Request("GET", "/" + index + "/_count"))
                .getEntity())).get("count").asLong();
    }
}
