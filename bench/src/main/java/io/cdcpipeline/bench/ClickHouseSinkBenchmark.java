package io.cdcpipeline.bench;

import com.clickhouse.client.api.Client;
import com.clickhouse.data.ClickHouseFormat;
import io.cdcpipeline.sink.clickhouse.ClickHouseSinkConfig;
import io.cdcpipeline.sink.clickhouse.ClickHouseSinkTask;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the same rows through the ClickHouse sink task (as Connect drives it: puts of a Debezium batch, then a
 * commit) and through a raw {@code INSERT ... FORMAT RowBinary} of typed values, alternating, several rounds, and
 * reports both rates and their ratio. Run with {@code bin/cdc bench clickhouse}.
 */
@Command(name = "clickhouse-sink-benchmark", mixinStandardHelpOptions = true)
public final class ClickHouseSinkBenchmark implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "ClickHouse HTTP URL")
    String url;

    @Option(names = "--rows", defaultValue = "400000", description = "rows per round and path")
    int rows;

    @Option(names = "--rounds", defaultValue = "7", description = "rounds; each writes both paths once")
    int rounds;

    @Option(names = "--put-size", defaultValue = "2048", description = "records per put (Debezium's max.batch.size)")
    int putSize;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClickHouseSinkBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<OrderChanges.Row> data = OrderChanges.rows(rows, 42);
        List<SinkRecord> records = OrderChanges.records(data, "bench.public.orders");
        String database = "bench_" + System.currentTimeMillis();
        try (Client client = new Client.Builder().addEndpoint(url).setUsername("default").setPassword("")
                .compressServerResponse(false).build()) {
            execute(client, "CREATE DATABASE " + database);
            String version = query(client, "SELECT version() FORMAT TabSeparated");
            boolean modern = Integer.parseInt(version.split("\\.")[0]) >= 23;
            List<Double> sinkRates = new ArrayList<>();
            List<Double> rawRates = new ArrayList<>();
            try {
                // Warm-up round (JIT, table creation), not counted.
                runSink(database, "warmup", records);
                for (int round = 1; round <= rounds; round++) {
                    String table = "orders_" + round;
                    awaitQuietServer(client);
                    double sinkRate = rows / runSink(database, table, records);
                    execute(client, "CREATE TABLE " + database + ".raw_" + round + " AS " + database + "." + table);
                    awaitQuietServer(client);
                    double rawRate = rows / runRaw(client, database + ".raw_" + round, data, modern);
                    verifySame(client, database, table, "raw_" + round);
                    // Parts left behind would be merged during the next round and slow whichever path runs then.
                    execute(client, "DROP TABLE " + database + "." + table + "_current");
                    execute(client, "DROP TABLE " + database + "." + table);
                    execute(client, "DROP TABLE " + database + ".raw_" + round);
                    sinkRates.add(sinkRate);
                    rawRates.add(rawRate);
                    System.out.printf(Locale.ROOT, "round %d: sink %,.0f rows/s, raw RowBinary %,.0f rows/s, ratio %.2f%n",
                            round, sinkRate, rawRate, sinkRate / rawRate);
                }
            } finally {
                execute(client, "DROP DATABASE IF EXISTS " + database);
            }
            String setup = String.format(Locale.ROOT, "ClickHouse %s over HTTP on the same machine. `bin/cdc bench "
                    + "clickhouse` wrote %,d rows of an orders table per path and round (sink: `ClickHouseSinkTask.put` "
                    + "in batches of %d Debezium records, then `preCommit`; raw: typed values encoded by hand and "
                    + "inserted in chunks of 50,000, the sink's default batch.max.rows), alternating paths, %d rounds "
                    + "after a warm-up, each path started on an idle server (no merges running); both tables are checked "
                    + "to hold the same rows and dropped after the round.", version, rows, putSize, rounds);
            BenchmarkResult result = new BenchmarkResult("clickhouse-sink-benchmark",
                    "ClickHouse sink vs raw `INSERT ... FORMAT RowBinary`", setup, rounds, sinkRates, rawRates);
            System.out.println(result.summary());
            if (report != null) {
                result.writeInto(report);
                System.out.println("written to " + report);
            }
            return 0;
        }
    }

    /** Seconds the task took for every record, put by put, then the commit. */
    private double runSink(String database, String table, List<SinkRecord> batch) {
        ClickHouseSinkTask task = new ClickHouseSinkTask();
        BenchTaskContext context = new BenchTaskContext();
        task.initialize(context.context());
        task.start(Map.of(ClickHouseSinkConfig.URL, url, ClickHouseSinkConfig.DATABASE, database,
                "table.override.public.orders.name", table));
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
            double inserts = context.metric("batches-written-total");
            System.out.printf(Locale.ROOT, "  sink: %.0f inserts, %.2f s of %.2f s waiting for them%n", inserts,
                    inserts * context.metric("insert-latency-avg-ms") / 1000, seconds);
            return seconds;
        } finally {
            task.stop();
        }
    }

    private double runRaw(Client client, String table, List<OrderChanges.Row> data, boolean modern) throws Exception {
        long start = System.nanoTime();
        int chunk = 50_000; // the sink's default batch.max.rows
        for (int from = 0; from < data.size(); from += chunk) {
            byte[] body = RawRowBinary.encode(data.subList(from, Math.min(data.size(), from + chunk)), modern);
            client.insert(table + " " + RawRowBinary.COLUMNS, new ByteArrayInputStream(body), ClickHouseFormat.RowBinary)
                    .get(120, TimeUnit.SECONDS).close();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private void verifySame(Client client, String database, String sinkTable, String rawTable) throws Exception {
        String checksum = "SELECT count(), sum(cityHash64(id, customer_id, toString(amount), status, ifNull(note, ''), created_at, "
                + "_cdc_version, _cdc_source_ts)) FROM " + database + ".";
        String sink = query(client, checksum + sinkTable + " FORMAT TabSeparated");
        String raw = query(client, checksum + rawTable + " FORMAT TabSeparated");
        if (!sink.equals(raw)) {
            throw new IllegalStateException("the two paths wrote different rows: sink " + sink + ", raw " + raw);
        }
    }

    /** Waits (up to 30 s) until ClickHouse runs no merges, so each timed path starts on an idle server. */
    private static void awaitQuietServer(Client client) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!"0".equals(query(client, "SELECT count() FROM system.merges FORMAT TabSeparated"))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        System.gc(); // the previous path's garbage is not this one's cost
        Thread.sleep(200);
    }

    private static void execute(Client client, String sql) throws Exception {
        client.execute(sql).get(120, TimeUnit.SECONDS).close();
    }

    private static String query(Client client, String sql) throws Exception {
        try (var response = client.query(sql).get(120, TimeUnit.SECONDS)) {
            return new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
