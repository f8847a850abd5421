package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table CdcRoute sends to another target is validated against that target: equal when it is, the row removed from
 * the target by hand named as missing, the routed name in the result.
 */
@RealStack
class RoutedValidateIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRoutedTableIsComparedWithTheTargetItIsRoutedTo(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 30) g");
        }
        PipelineFile file = ClickHousePipelineFile.write(stack, pg, ch, work, "routed", List.of("public.customers"), Map.of(
                "sink.clickhouse.transforms", "route",
                "sink.clickhouse.transforms.route.type", "io.cdcpipeline.transforms.CdcRoute",
                "sink.clickhouse.transforms.route.table.regex", "public\\.customers",
                "sink.clickhouse.transforms.route.target.table", "crm_${table}"));
        try (EmbeddedPipeline runner = EmbeddedPipeline.validate(file)) {
            runner.start();
            Await.until(() -> query(ch, "SELECT count() FROM " + ch.name() + ".crm_customers_current")
                    .equals("30"), 90, "the snapshot in the routed table");
            CopyCheck.Options options = new CopyCheck.Options(100, Duration.ofMillis(500), 2, work);
            try (ValidateMain.Validation validation = new ValidateMain.Validation(file, List.of(), options)) {
                CopyCheck.Result equal = validation.check(List.of()).get(0);
                assertThat(equal.status()).as("%s", equal).isEqualTo(CopyCheck.Status.EQUAL);
                assertThat(equal.target()).contains("crm_customers");
                assertThat(equal.rowsCompared()).isEqualTo(30);

                clickHouse(ch, "INSERT INTO " + ch.name() + ".crm_customers (id, name, _cdc_version, _cdc_deleted, "
                        + "_cdc_source_ts) SELECT id, name, _cdc_version + 1, 1, _cdc_source_ts FROM " + ch.name()
                        + ".crm_customers FINAL WHERE id = 17");
                CopyCheck.Result drift = validation.check(List.of()).get(0);
                assertThat(drift.status()).isEqualTo(CopyCheck.Status.DRIFT);
                assertThat(drift.missing()).containsExactly(List.of("17"));
                assertThat(drift.extraTotal() + drift.differingTotal()).isZero();
            }
            assertThat(runner.failure()).isNull();
        }
    }

    /** The answer, or empty while the table does not exist yet. */
    private String query(ClickHouseTestDatabase ch, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body().trim() : "";
    }

    private String clickHouse(ClickHouseTestDatabase ch, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", sql, response.body()).isEqualTo(200);
        return response.body().trim();
    }
}
