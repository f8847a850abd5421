package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded runner's "complete up to", which validate's re-checks wait for: once the runner's position has passed
 * the WAL position Postgres had, a change committed before is in the copy; with the runner stopped, the wait ends at
 * its timeout and says so. The marks it writes into the signal table are removed.
 */
@RealStack
class PositionCatchUpIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aChangeCommittedBeforeTheWaitIsInTheCopyWhenItEnds(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                    + "data varchar(2048))");
            st.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 20) g");
        }
        PipelineFile file = ClickHousePipelineFile.write(stack, pg, ch, work, "catchup", List.of("public.customers", "public.debezium_signal"), Map.of("source.signal.data.collection", "public.debezium_signal"));
        try (EmbeddedPipeline runner = EmbeddedPipeline.validate(file)) {
            runner.start();
            Await.until(() -> count(ch, "customers_current").equals("20"), 90, "the snapshot in ClickHouse");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO customers VALUES (21, 'late'), (22, 'later')");
                st.execute("DELETE FROM customers WHERE id = 3");
            }
            String waited = new PositionCatchUp(file.source(), work.resolve("offsets.dat"), "catchup",
                    Duration.ofSeconds(60)).await();
            assertThat(waited).startsWith("the runner's position passed");
            assertThat(count(ch, "customers_current")).as("read at once, no waiting: " + waited).isEqualTo("21");
            assertThat(runner.failure()).isNull();
        }
        long t0 = System.nanoTime();
        String stopped = new PositionCatchUp(file.source(), work.resolve("offsets.dat"), "catchup",
                Duration.ofSeconds(2)).await();
        assertThat(stopped).contains("did not pass").endsWith("settled by time");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        try (Connection c = pg.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM debezium_signal")) {
            rs.next();
            assertThat(rs.getInt(1)).as("marks removed").isZero();
        }
    }

    private String count(ClickHouseTestDatabase ch, String view) throws Exception {
        String sql = "SELECT count() FROM " + ch.name() + "." + view;
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body().trim() : "";
    }
}
