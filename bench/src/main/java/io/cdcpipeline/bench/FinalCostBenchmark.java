package io.cdcpipeline.bench;

import io.cdcpipeline.testkit.ChdbEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What BI pays for reading the current state: a typical aggregate ({@code status, count(), sum(total)}) over a table
 * of {@code --rows} rows, {@code --updated-percent} of them updated once, written as the ClickHouse sink writes
 * ({@code ReplacingMergeTree} by version, the rows and the updates in inserts of 100,000 with merges stopped, as a
 * table looks between background merges). Each way of reading the current state is timed against the plain read of
 * the raw table in the same run (which counts updated rows twice: the limit, not an answer), on the stack's 18.16
 * server over HTTP and on chdb's modern engine. Every way's answer is checked against the view's.
 */
@Command(name = "final-cost-benchmark", mixinStandardHelpOptions = true)
public final class FinalCostBenchmark implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "HTTP URL of the ClickHouse server (18.16 on the stack)")
    String url;

    @Option(names = "--rows", defaultValue = "1000000", description = "rows of the table")
    int rows;

    @Option(names = "--updated-percent", defaultValue = "10", description = "share of the rows updated once")
    int updatedPercent;

    @Option(names = "--runs", defaultValue = "7", description = "timed runs of each way; the median is reported")
    int runs;

    @Option(names = "--report", description = "Markdown file to write the results into (section replaced)")
    Path report;

    private static final String DB = "bench_final";
    private static final int INSERT_ROWS = 100_000;
    private static final String AGGREGATE = "SELECT status, count(), sum(total) FROM %s GROUP BY status ORDER BY status";

    /** One server: how it runs a statement. */
    private interface Engine {
        String name();

        boolean modern();

        String query(String sql);
    }

    /** A way of reading the current state: its query, and statements that must run before it (once). */
    private record Way(String name, String sql, String note) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FinalCostBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Engine legacy = new Engine() {
            @Override
            public String name() {
                return "ClickHouse " + query("SELECT version()").trim() + " (stack server, HTTP)";
            }

            @Override
            public boolean modern() {
                return false;
            }

            @Override
            public String query(String sql) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/"))
                            .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(sql + ": " + response.body());
                    }
                    return response.body();
                } catch (java.io.IOException | InterruptedException e) {
                    throw new IllegalStateException(sql, e);
                }
            }
        };
        ChdbEngine chdb = ChdbEngine.shared();
        Engine modern = new Engine() {
            @Override
            public String name() {
                return "ClickHouse " + query("SELECT version()").trim() + " (chdb, in-process)";
            }

            @Override
            public boolean modern() {
                return true;
            }

            @Override
            public String query(String sql) {
                return chdb.query(sql, "TabSeparated");
            }
        };
        StringBuilder section = new StringBuilder("## BI query cost: the current-state view (`FINAL`) vs the raw table\n\n");
        section.append(String.format(Locale.ROOT, "Run on %s. A table of %,d rows (id, customer_id, status, total and "
                + "the CDC columns, `ReplacingMergeTree` by `_cdc_version`, ordered by id), %d %% of them updated "
                + "once; rows and updates inserted %,d at a time with merges stopped (%d parts, a table between "
                + "background merges). The query: `%s`, median of %d runs, the ways alternating their order. The "
                + "ratio is to the plain read of the raw table in the same run (which counts each updated row "
                + "twice: the limit, not an answer). Every other way's answer equals the view's (checked).%n%n",
                BenchmarkResult.machine(), rows, updatedPercent, INSERT_ROWS,
                (rows + rows * updatedPercent / 100 + INSERT_ROWS - 1) / INSERT_ROWS,
                String.format(AGGREGATE, "t").replace("FROM t", "FROM ..."), runs));
        for (Engine engine : List.of(legacy, modern)) {
            section.append(measure(engine));
        }
        section.append("Generated by `bin/cdc bench final`; what the figures mean for a deployment is in "
                + "docs/events.md (BI query cost).\n\n");
        System.out.println(section);
        if (report != null) {
            BenchmarkResult.writeSection(report, "final-cost-benchmark", section.toString());
        }
        return 0;
    }

    private String measure(Engine engine) {
        String name = engine.name();
        System.err.println("preparing " + name);
        engine.query("DROP DATABASE IF EXISTS " + DB);
        engine.query("CREATE DATABASE " + DB);
        String engineClause = engine.modern() ? "ReplacingMergeTree(_cdc_version, _cdc_deleted)"
                : "ReplacingMergeTree(_cdc_version)";
        String columns = "(id UInt64, customer_id UInt32, status String, total Decimal(12, 2), _cdc_version UInt64, "
                + "_cdc_deleted UInt8, _cdc_source_ts DateTime)";
        // On modern servers as the sink makes it with delete.markers.cleanup: OPTIMIZE ... FINAL CLEANUP is allowed.
        engine.query("CREATE TABLE " + DB + ".t " + columns + " ENGINE = " + engineClause + " ORDER BY id"
                + (engine.modern() ? " SETTINGS allow_experimental_replacing_merge_with_cleanup = 1" : ""));
        // Partitioned by a function of the key: every version of a row is in one partition, so FINAL may merge
        // within partitions only (do_not_merge_across_partitions_select_final).
        engine.query("CREATE TABLE " + DB + ".t_part " + columns + " ENGINE = " + engineClause
                + " PARTITION BY intDiv(id, " + INSERT_ROWS + ") ORDER BY id");
        engine.query("CREATE TABLE " + DB + ".t_recent " + columns + " ENGINE = " + engineClause
                + " PARTITION BY intDiv(id, " + INSERT_ROWS + ") ORDER BY id");
        for (String table : List.of("t", "t_part", "t_recent")) {
            engine.query("SYSTEM STOP MERGES " + DB + "." + table);
            fill(engine, DB + "." + table, table.equals("t_recent"));
        }
        List<Way> ways = new ArrayList<>();
        ways.add(new Way("raw table (the limit; counts updated rows twice)", String.format(AGGREGATE, DB + ".t"), ""));
        String view = "(SELECT * FROM " + DB + ".t FINAL WHERE _cdc_deleted = 0)";
        ways.add(new Way("current-state view (`FINAL`, as `_current` reads)", String.format(AGGREGATE, view), ""));
        ways.add(new Way("`argMax` per key instead of `FINAL`", String.format(AGGREGATE, "(SELECT id, argMax(status, "
                + "_cdc_version) AS status, argMax(total, _cdc_version) AS total, argMax(_cdc_deleted, _cdc_version) "
                + "AS d FROM " + DB + ".t GROUP BY id HAVING d = 0)"), ""));
        if (engine.modern()) {
            ways.add(new Way("view on a table partitioned by key, `do_not_merge_across_partitions_select_final = 1`",
                    String.format(AGGREGATE, "(SELECT * FROM " + DB + ".t_part FINAL WHERE _cdc_deleted = 0)")
                            + " SETTINGS do_not_merge_across_partitions_select_final = 1", ""));
        } else {
            ways.add(new Way("view on a table partitioned by key (no `do_not_merge_across_partitions_select_final` "
                    + "before 20.x)", String.format(AGGREGATE, "(SELECT * FROM " + DB + ".t_part FINAL WHERE "
                    + "_cdc_deleted = 0)"), ""));
        }
        String setting = engine.modern() ? " SETTINGS do_not_merge_across_partitions_select_final = 1" : "";
        ways.add(new Way("the same, the updates all in the newest " + updatedPercent + " % of the rows (one partition)",
                String.format(AGGREGATE, "(SELECT * FROM " + DB + ".t_recent FINAL WHERE _cdc_deleted = 0)") + setting,
                ""));
        // A materialised latest state: the view's rows copied into a plain table, read without FINAL.
        engine.query("CREATE TABLE " + DB + ".latest " + columns + " ENGINE = MergeTree ORDER BY id");
        long refreshStart = System.nanoTime();
        engine.query("INSERT INTO " + DB + ".latest SELECT * FROM " + DB + ".t FINAL WHERE _cdc_deleted = 0");
        double refreshMs = (System.nanoTime() - refreshStart) / 1e6;
        ways.add(new Way("materialised latest state (a plain table the view's rows are copied into)",
                String.format(AGGREGATE, DB + ".latest"), String.format(Locale.ROOT, "refreshing it took %.0f ms", refreshMs)));

        Map<Way, List<Double>> millis = new LinkedHashMap<>();
        ways.forEach(w -> millis.put(w, new ArrayList<>()));
        String expected = engine.query(ways.get(1).sql());
        String expectedRecent = engine.query(String.format(AGGREGATE, "(SELECT * FROM " + DB + ".t_recent FINAL "
                + "WHERE _cdc_deleted = 0)"));
        for (int run = 0; run < runs; run++) {
            List<Way> order = new ArrayList<>(ways);
            if (run % 2 == 1) {
                Collections.reverse(order);
            }
            for (Way way : order) {
                long start = System.nanoTime();
                String answer = engine.query(way.sql());
                millis.get(way).add((System.nanoTime() - start) / 1e6);
                String wanted = way.sql().contains(".t_recent ") ? expectedRecent : expected;
                if (way != ways.get(0) && !answer.equals(wanted)) {
                    throw new IllegalStateException(way.name() + " answered\n" + answer + "\nthe view answered\n"
                            + wanted);
                }
            }
        }
        // After a merge of everything: what FINAL costs once the background merges have caught up.
        // The merge the delete-marker clean-up runs (docs/events.md): its cost, timed once.
        engine.query("SYSTEM START MERGES " + DB + ".t");
        String optimize = "OPTIMIZE TABLE " + DB + ".t FINAL" + (engine.modern() ? " CLEANUP" : "");
        long mergeStart = System.nanoTime();
        engine.query(optimize);
        double mergeMs = (System.nanoTime() - mergeStart) / 1e6;
        Way merged = new Way("current-state view after `" + optimize.replace(DB + ".t", "t") + "` (one part)",
                String.format(AGGREGATE, view), String.format(Locale.ROOT, "the merge took %.0f ms", mergeMs));
        Way mergedRaw = new Way("raw table after the merge", String.format(AGGREGATE, DB + ".t"), "");
        millis.put(merged, new ArrayList<>());
        millis.put(mergedRaw, new ArrayList<>());
        for (int run = 0; run < runs; run++) {
            for (Way way : run % 2 == 0 ? List.of(merged, mergedRaw) : List.of(mergedRaw, merged)) {
                long start = System.nanoTime();
                String answer = engine.query(way.sql());
                millis.get(way).add((System.nanoTime() - start) / 1e6);
                if (!answer.equals(expected)) {
                    throw new IllegalStateException(way.name() + " answered\n" + answer + "\nexpected\n" + expected);
                }
            }
        }
        double raw = BenchmarkResult.median(millis.get(ways.get(0)));
        StringBuilder out = new StringBuilder("### " + name + "\n\n| way | median ms | ratio to the raw read |\n"
                + "|---|---|---|\n");
        millis.forEach((way, times) -> {
            double median = BenchmarkResult.median(times);
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f%s |%n", way.name(), median, median / raw,
                    way.note().isEmpty() ? "" : " (" + way.note() + ")"));
        });
        out.append('\n');
        engine.query("DROP DATABASE IF EXISTS " + DB);
        System.err.print(out);
        return out.toString();
    }

    /**
     * The rows, then the updates, each in inserts of {@link #INSERT_ROWS}: one part per insert. The updates hit every
     * tenth row, or with {@code recent} the newest rows only (where OLTP updates usually land).
     */
    private void fill(Engine engine, String table, boolean recent) {
        String statuses = "['new', 'paid', 'shipped', 'cancelled']";
        for (int from = 0; from < rows; from += INSERT_ROWS) {
            String n = "(number + " + from + ")";
            engine.query("INSERT INTO " + table + " SELECT " + n + ", " + n + " % 50000, " + statuses + "[" + n
                    + " % 4 + 1], toDecimal64(" + n + " % 1000, 2), 1, 0, toDateTime(1700000000) FROM numbers("
                    + Math.min(INSERT_ROWS, rows - from) + ")");
        }
        int every = Math.max(1, 100 / updatedPercent);
        int updates = rows / every;
        for (int from = 0; from < updates; from += INSERT_ROWS) {
            String id = recent ? "(number + " + from + " + " + (rows - updates) + ")"
                    : "((number + " + from + ") * " + every + " + 3)";
            engine.query("INSERT INTO " + table + " SELECT " + id + ", " + id + " % 50000, 'shipped', toDecimal64("
                    + id + " % 1000 + 1, 2), 2, 0, toDateTime(1700000100) FROM numbers("
                    + Math.min(INSERT_ROWS, updates - from) + ")");
        }
    }
}
