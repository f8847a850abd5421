package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgbench's own schema, as a new user would stream it: {@code pgbench -i -s 5} (500,000 accounts), the embedded runner with both sinks, then
 * a pgbench run. Every table lands in both copies, {@code pgbench_history} (no primary key, insert-only) included:
 * counts and balances equal Postgres's and nothing is dead-lettered.
 */
@RealStack
class PgbenchIT {

    private static final List<String> TABLES = List.of("pgbench_accounts", "pgbench_branches", "pgbench_tellers",
            "pgbench_history");
    /** pgbench's scale: 100,000 accounts per unit. */
    private static final int SCALE = 5;
    private static final int TRANSACTIONS_PER_CLIENT = 500;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyPgbenchTableLandsInBothCopies(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        pgbench(stack, pg, work, "-i", "-s", Integer.toString(SCALE), "-q");
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.extraConfig.put("source.table.include.list", String.join(",", TABLES.stream().map(t -> "public." + t).toList()));
        Path file = h.writeConfig(work.resolve("pipeline.properties"));
        try (EmbeddedPipeline runner = h.start()) {
            assertThat(runner.keylessTables()).as("found in the catalog at start")
                    .containsExactly(new KeylessTables.Keyless(new TableId("public", "pgbench_history"), false));
            Await.until(() -> Integer.toString(SCALE * 100_000).equals(clickHouseCount(ch, "pgbench_accounts")), 300,
                    "the snapshot");
            pgbench(stack, pg, work, "-n", "-c", "2", "-t", Integer.toString(TRANSACTIONS_PER_CLIENT));
            for (String table : TABLES) {
                long rows = postgres(pg, "SELECT count(*) FROM " + table);
                Await.until(() -> Long.toString(rows).equals(clickHouseCount(ch, table))
                        && rows == elasticsearchCount(es, table), 300, table + " in both copies");
            }
            assertThat(postgres(pg, "SELECT count(*) FROM pgbench_history")).isEqualTo(2 * TRANSACTIONS_PER_CLIENT);
            long balances = postgres(pg, "SELECT sum(abalance) FROM pgbench_accounts");
            assertThat(Long.parseLong(ch.query("SELECT sum(abalance) FROM " + ch.name() + ".pgbench_accounts_current")))
                    .as("every update applied").isEqualTo(balances);
            long deltas = postgres(pg, "SELECT sum(delta) FROM pgbench_history");
            assertThat(Long.parseLong(ch.query("SELECT sum(delta) FROM " + ch.name() + ".pgbench_history_current")))
                    .isEqualTo(deltas);
            assertThat(runner.deadLettered()).containsEntry("clickhouse", 0L).containsEntry("elasticsearch", 0L);
            ValidateCommand validate = ValidateCommand.run(file);
            assertThat(validate.exit()).as(validate.output() + validate.errors()).isZero();
            assertThat(validate.output()).as("no key: distinct rows counted").contains(
                    "public.pgbench_history -> clickhouse `" + ch.name() + "`.`pgbench_history`: equal ("
                            + 2 * TRANSACTIONS_PER_CLIENT + " rows, by counts)",
                    "public.pgbench_history -> elasticsearch " + es.name() + "_pgbench_history: equal ("
                            + 2 * TRANSACTIONS_PER_CLIENT + " rows, by counts)");
        }
    }

    private static void pgbench(StackEndpoints stack, PostgresTestDatabase pg, Path work, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/lib/postgresql/15/bin/pgbench", "-h",
                stack.pgHost(), "-p", Integer.toString(stack.pgPort()), "-U", pg.user()));
        command.addAll(List.of(args));
        command.add(pg.name());
        Path log = work.resolve("pgbench.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("pgbench %s finished", List.of(args)).isTrue();
        assertThat(process.exitValue()).as("pgbench %s: %s", List.of(args), Files.readString(log)).isZero();
    }

    private static String clickHouseCount(ClickHouseTestDatabase ch, String table) {
        String view = ch.name() + "." + table + "_current";
        return "1".equals(ch.query("EXISTS TABLE " + view)) ? ch.query("SELECT count() FROM " + view) : "";
    }

    private long elasticsearchCount(ElasticsearchTestIndex es, String table) throws Exception {
        String alias = es.name() + "_" + table;
        http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + alias + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> count = http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + alias + "/_count"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (count.statusCode() != 200) {
            return -1;
        }
        Matcher m = Pattern.compile("\"count\":(\\d+)").matcher(count.body());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long postgres(PostgresTestDatabase pg, String sql) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
