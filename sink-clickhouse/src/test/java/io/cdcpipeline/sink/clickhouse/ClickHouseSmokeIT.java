package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Proves the stack's ClickHouse is a real server on the wire path the sink uses (client-v2 over HTTP). */
@RealStack
class ClickHouseSmokeIT {

    @Test
    void replacingMergeTreeReturnsNewestVersionWithFinal(ClickHouseTestDatabase db) throws Exception {
        try (Client client = new Client.Builder()
                .addEndpoint(db.url())
                .setUsername("default")
                .setPassword("")
                .compressServerResponse(false) // 18.16 answers compressed responses with an empty body
                .build()) {
            String table = db.name() + ".orders";
            client.execute("CREATE TABLE " + table + " (id UInt64, status String, _version UInt64) "
                    + "ENGINE = ReplacingMergeTree(_version) ORDER BY id").get(30, TimeUnit.SECONDS);

            // Two separate inserts make two parts, so FINAL (not an earlier merge) has to pick the newest version.
            insert(client, table, "{\"id\":1,\"status\":\"new\",\"_version\":10}\n"
                    + "{\"id\":2,\"status\":\"new\",\"_version\":10}\n");
            insert(client, table, "{\"id\":1,\"status\":\"shipped\",\"_version\":30}\n"
                    + "{\"id\":1,\"status\":\"paid\",\"_version\":20}\n");

            assertThat(select(client, "SELECT count() AS n FROM " + table + " FORMAT JSONEachRow"))
                    .as("all four row versions are stored").isEqualTo("{\"n\":\"4\"}");
            assertThat(select(client, "SELECT id, status, _version FROM " + table + " FINAL ORDER BY id FORMAT JSONEachRow"))
                    .isEqualTo("{\"id\":\"1\",\"status\":\"shipped\",\"_version\":\"30\"}\n"
                            + "{\"id\":\"2\",\"status\":\"new\",\"_version\":\"10\"}");
        }
    }

    private static void insert(Client client, String table, String jsonEachRow) throws Exception {
        client.insert(table, new ByteArrayInputStream(jsonEachRow.getBytes(StandardCharsets.UTF_8)),
                ClickHouseFormat.JSONEachRow).get(30, TimeUnit.SECONDS).close();
    }

    private static String select(Client client, String sql) throws Exception {
        try (QueryResponse response = client.query(sql).get(30, TimeUnit.SECONDS)) {
            return new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
