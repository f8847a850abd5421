package io.cdcpipeline.bench;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The stack a pipeline benchmark runs on (its endpoints as options, a picocli mixin), and what such a benchmark does
 * with it: a database of its own in Postgres and ClickHouse, a pipeline file over them, and a clean-up.
 */
final class BenchStack {

    @Option(names = "--pg-jdbc-url", required = true, description = "JDBC URL of the stack's Postgres (any database)")
    String pgUrl;

    @Option(names = "--pg-user", defaultValue = "postgres", description = "Postgres superuser")
    String pgUser;

    @Option(names = "--ch-url", required = true, description = "ClickHouse HTTP URL")
    String chUrl;

    @Option(names = "--es-url", required = true, description = "Elasticsearch HTTP URL")
    String esUrl;

    final HttpClient http = HttpClient.newHttpClient();

    /** The JDBC URL of database {@code name} on the stack's Postgres. */
    String dbUrl(String name) {
        return pgUrl.substring(0, pgUrl.lastIndexOf('/') + 1) + name;
    }

    /** Drops what a run named {@code name} made (slot, databases, indices), then makes the databases again. */
    void freshDatabases(String name) throws Exception {
        dropAll(name);
        try (Connection admin = DriverManager.getConnection(pgUrl, pgUser, null); Statement st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        clickHouse("CREATE DATABASE " + name);
    }

    /** A connection to database {@code name} on the stack's Postgres (unchecked: loads take it as a supplier). */
    Connection source(String name) {
        try {
            return DriverManager.getConnection(dbUrl(name), pgUser, null);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + dbUrl(name) + ": " + e.getMessage(), e);
        }
    }

    /** Sets the marker row ({@code id = 0} of {@code people}) that benchmarks watch arrive in the sinks. */
    void setMarker(String db, BigDecimal value) throws Exception {
        try (Connection c = source(db); Statement st = c.createStatement()) {
            st.execute("UPDATE people SET total = " + value.toPlainString() + " WHERE id = 0");
        }
    }

    /** Drops the replication slot, the Postgres and ClickHouse databases and the indices of a run named {@code name}. */
    void dropAll(String name) throws Exception {
        try (Connection admin = DriverManager.getConnection(pgUrl, pgUser, null); Statement st = admin.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + name + "'");
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        clickHouse("DROP DATABASE IF EXISTS " + name);
        http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + name + "_*")).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
    }

    void clickHouse(String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(chUrl + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse refused " + sql + ": " + response.body());
        }
    }

    /**
     * A pipeline file's settings: Debezium on database {@code name} (slot, publication and topic prefix of that name)
     * capturing {@code tables}, into both sinks (ClickHouse database {@code name}, indices {@code name_<table>}).
     */
    Map<String, String> pipeline(String name, Path work, String tables) {
        URI pg = URI.create(dbUrl(name).substring("jdbc:".length()));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("sinks", "clickhouse,elasticsearch");
        c.put("offset.storage.file", work.resolve("offsets.dat").toString());
        c.put("dead.letter.dir", work.resolve("dead-letters").toString());
        c.put("source.connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        c.put("source.database.hostname", pg.getHost());
        c.put("source.database.port", Integer.toString(pg.getPort()));
        c.put("source.database.user", pgUser);
        c.put("source.database.password", "");
        c.put("source.database.dbname", name);
        c.put("source.topic.prefix", name);
        c.put("source.plugin.name", "pgoutput");
        c.put("source.slot.name", name);
        c.put("source.publication.name", name + "_pub");
        c.put("source.publication.autocreate.mode", "filtered");
        c.put("source.table.include.list", tables);
        c.put("source.max.batch.size", "4096");
        c.put("source.max.queue.size", "16384");
        c.put("sink.clickhouse.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
        c.put("sink.clickhouse.clickhouse.url", chUrl);
        c.put("sink.clickhouse.clickhouse.database", name);
        c.put("sink.elasticsearch.connector.class", "io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector");
        c.put("sink.elasticsearch.elasticsearch.urls", esUrl);
        c.put("sink.elasticsearch.index.name.format", name + "_${table}");
        return c;
    }
}
