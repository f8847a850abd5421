package io.cdcpipeline.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** What a test creates through the testkit is really gone from the servers once it is closed. */
@RealStack
class ResourcesCleanUpIT {

    @Test
    void postgresDatabaseAndItsSlotsAreDropped(StackEndpoints stack) throws Exception {
        String name;
        try (PostgresTestDatabase db = PostgresTestDatabase.create(stack)) {
            name = db.name();
            try (Connection conn = db.connect(); Statement st = conn.createStatement()) {
                st.execute("SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')");
            }
            assertThat(count(stack, "SELECT count(*) FROM pg_database WHERE datname = ?", name)).isEqualTo(1);
            assertThat(count(stack, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", name)).isEqualTo(1);
        }
        assertThat(count(stack, "SELECT count(*) FROM pg_database WHERE datname = ?", name)).isZero();
        assertThat(count(stack, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", name)).isZero();
    }

    @Test
    void clickHouseDatabaseIsDropped(StackEndpoints stack) {
        String name;
        try (ClickHouseTestDatabase db = ClickHouseTestDatabase.create(stack)) {
            name = db.name();
            assertThat(clickHouse(stack, "SELECT count() FROM system.databases WHERE name = '" + name + "'")).isEqualTo("1");
        }
        assertThat(clickHouse(stack, "SELECT count() FROM system.databases WHERE name = '" + name + "'")).isEqualTo("0");
    }

    @Test
    void elasticsearchIndicesWithTheNameAreDeleted(StackEndpoints stack) {
        String name;
        try (ElasticsearchTestIndex index = ElasticsearchTestIndex.create(stack)) {
            name = index.name();
            StackHttp.expectOk("PUT", stack.elasticsearchUrl() + "/" + name + "_v1", "{\"aliases\":{\"" + name + "\":{}}}");
            assertThat(StackHttp.send("HEAD", stack.elasticsearchUrl() + "/" + name, null).status()).isEqualTo(200);
        }
        assertThat(StackHttp.send("HEAD", stack.elasticsearchUrl() + "/" + name + "_v1", null).status()).isEqualTo(404);
        assertThat(StackHttp.send("HEAD", stack.elasticsearchUrl() + "/" + name, null).status()).isEqualTo(404);
    }

    private static int count(StackEndpoints stack, String sql, String arg) throws Exception {
        try (Connection conn = DriverManager.getConnection(stack.jdbcUrl("postgres"), stack.pgUser(), "");
             PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String clickHouse(StackEndpoints stack, String sql) {
        return StackHttp.expectOk("POST", stack.clickHouseUrl() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8), null).strip();
    }
}
