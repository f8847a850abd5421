package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
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
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate at the edges, through the command: an empty table, a record the sink dead-lettered (counted, its row
 * missing), a sink table dropped by hand (drift, not a crash), and an unreachable sink (exit 2, named).
 */
@RealStack
class ValidateEdgesIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void emptyDeadLetteredMissingAndUnreachableAreEachReportedAsSuch(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("CREATE TABLE nothing_yet (id integer PRIMARY KEY)");
            // 1900 is before ClickHouse 18.16's Date: with value.out.of.range=strict the sink dead-letters that row.
            st.execute("CREATE TABLE dated (id integer PRIMARY KEY, d date NOT NULL)");
            st.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 10) g");
            st.execute("INSERT INTO dated VALUES (1, '2020-01-01'), (2, '1900-01-01')");
        }
        List<String> tables = List.of("public.customers", "public.nothing_yet", "public.dated");
        PipelineFile file = ClickHousePipelineFile.write(stack, pg, ch, work, "edges", tables,
                Map.of("sink.clickhouse.retry.max.attempts", "2", "sink.clickhouse.value.out.of.range", "strict"));
        Path config = work.resolve("pipeline.properties");
        try (EmbeddedPipeline runner = EmbeddedPipeline.validate(file)) {
            runner.start();
            Await.until(() -> query(ch, "SELECT count() FROM " + ch.name() + ".customers_current").equals("10")
                    && query(ch, "SELECT count() FROM " + ch.name() + ".dated_current").equals("1"), 90,
                    "the snapshot in ClickHouse");
            Await.until(() -> Files.exists(work.resolve("dead-letters")) && ValidateCommand.run(config).output().contains(
                    "dead letters: 1 records"), 30, "the dead letter counted");
        }
        ValidateCommand first = ValidateCommand.run(config);
        assertThat(first.exit()).as(first.output()).isEqualTo(1);
        assertThat(first.output()).contains(
                "public.customers -> clickhouse", "equal (10 rows, by checksums)",
                "public.nothing_yet -> clickhouse (no target): equal (0 rows)",
                "public.dated -> clickhouse", "1 missing, 0 extra, 0 with other values", "missing keys (1): 2",
                "dead letters: 1 records of this table in");

        query(ch, "DROP TABLE " + ch.name() + ".customers_current");
        query(ch, "DROP TABLE " + ch.name() + ".customers");
        ValidateCommand dropped = ValidateCommand.run(config);
        assertThat(dropped.exit()).as(dropped.output()).isEqualTo(1);
        assertThat(dropped.output()).contains("public.customers -> clickhouse (no target): DRIFT: Postgres 10 rows, "
                + "copy 0 live; 10 missing");

        Path unreachable = work.resolve("unreachable.properties");
        Files.writeString(unreachable, Files.readString(config).replace(ch.url().replace(":", "\\:"),
                "http\\://127.0.0.1\\:1"));
        ValidateCommand down = ValidateCommand.run(unreachable);
        assertThat(down.exit()).as(down.output()).isEqualTo(2);
        assertThat(down.errors()).contains("error: sink clickhouse, table public.customers");
    }

    private String query(ClickHouseTestDatabase ch, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body().trim() : "";
    }
}
