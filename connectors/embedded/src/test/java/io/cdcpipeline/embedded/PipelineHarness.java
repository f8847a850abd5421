package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumSourceConfig;
import io.cdcpipeline.testkit.ElasticsearchTestCluster;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A test pipeline over a shop schema (customers, orders, order_items) from a test database of the stack's Postgres
 * into a test database of its ClickHouse and test indices of its Elasticsearch, and the checks that the copies equal
 * the source row for row and value for value.
 */
final class PipelineHarness {

    static final String SCHEMA = """
            CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, name text, balance numeric(12,2),
                active boolean NOT NULL DEFAULT true, born date, updated_at timestamptz);
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL,
                total numeric(12,2) NOT NULL, created_at timestamp NOT NULL);
            CREATE TABLE order_items (order_id bigint, line integer, sku text NOT NULL, qty integer NOT NULL,
                PRIMARY KEY (order_id, line));
            """;

    /** Per table: the Postgres query giving each row as the ClickHouse view shows it (18.16: seconds). */
    private static final Map<String, String> CLICKHOUSE_FORM = Map.of(
            "customers", "SELECT id::text, email, coalesce(name, '\\N'), coalesce(balance::text, '\\N'), "
                    + "CASE WHEN active THEN '1' ELSE '0' END, coalesce(born::text, '\\N'), "
                    + "coalesce(to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '\\N') FROM customers ORDER BY id",
            "orders", "SELECT id::text, customer_id::text, status, total::text, "
                    + "to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') FROM orders ORDER BY id",
            "order_items", "SELECT order_id::text, line::text, sku, qty::text FROM order_items ORDER BY order_id, line");

    private static final Map<String, String> CLICKHOUSE_COLUMNS = Map.of(
            "customers", "toString(id), email, name, toString(balance), toString(active), toString(born), toString(updated_at) ORDER BY id",
            "orders", "toString(id), toString(customer_id), status, toString(total), toString(created_at) ORDER BY id",
            "order_items", "toString(order_id), toString(line), sku, toString(qty) ORDER BY order_id, line");

    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private final StackEndpoints stack;
    private final PostgresTestDatabase pg;
    private final String chDatabase;
    /** The ClickHouse server the checks read: the stack's, or one replica of the cluster. */
    private String chUrl;
    private final String esName;
    /** The Elasticsearch node the checks read: the stack's, or one node of the cluster. */
    private String esUrl;
    private boolean esLocalCopiesOnly;
    private final Path workDir;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    PipelineHarness(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es,
            Path workDir) {
        this.stack = stack;
        this.pg = pg;
        this.chDatabase = ch.name();
        this.chUrl = ch.url();
        this.esName = es.name();
        this.esUrl = es.url();
        this.workDir = workDir;
    }

    /**
     * A pipeline into the clusters of the stack: the ClickHouse sink writes the replicated cluster, failing over
     * between its replicas, the Elasticsearch sink the two-node cluster; checks read replica 1 and node 1.
     */
    PipelineHarness(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestCluster cluster,
            ElasticsearchTestCluster es, Path workDir) {
        this.stack = stack;
        this.pg = pg;
        this.chDatabase = cluster.database();
        this.chUrl = cluster.url(1);
        this.esName = es.name();
        this.esUrl = es.url(1);
        this.workDir = workDir;
        extraConfig.put("sink.clickhouse.clickhouse.url", cluster.urls());
        extraConfig.put("sink.clickhouse.clickhouse.cluster", cluster.name());
        extraConfig.put("sink.elasticsearch.elasticsearch.urls", es.urls());
    }

    /**
     * Makes the checks read the Elasticsearch node at {@code url} (a node of the cluster), from the shard copies it
     * holds itself: with a replica of every shard on each of two nodes, each node's own copy is compared.
     */
    void readElasticsearchCopiesOf(String url) {
        this.esUrl = url;
        this.esLocalCopiesOnly = true;
    }

    /** Makes the checks read the ClickHouse server at {@code url} (a replica of the cluster). */
    void readClickHouseFrom(String url) {
        this.chUrl = url;
    }

    /** Settings added to (or replacing) the harness's own, e.g. a signal table for rebuilds. */
    final Map<String, String> extraConfig = new LinkedHashMap<>();

    /** Creates the shop schema with Debezium's signal table, captured and named as the source's signal table. */
    void shopWithSignalTable() throws Exception {
        sql(SCHEMA, "CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                + "data varchar(2048))");
        extraConfig.put("source.table.include.list", "public.customers,public.orders,public.order_items,"
                + "public.debezium_signal");
        extraConfig.put("source.signal.data.collection", "public.debezium_signal");
    }

    Map<String, String> pipelineConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("name", "it-" + pg.name());
        c.put("sinks", "clickhouse,elasticsearch");
        c.put("offset.storage.file", workDir.resolve("offsets.dat").toString());
        c.put("offset.flush.interval.ms", "500");
        c.put("progress.interval.ms", "2000");
        c.put("dead.letter.dir", workDir.resolve("dead-letters").toString());
        DebeziumSourceConfig.of(stack, pg, pg.name(), List.of("public.customers", "public.orders", "public.order_items"))
                .forEach((k, v) -> c.put("source." + k, v));
        c.put("sink.clickhouse.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
        c.put("sink.clickhouse.clickhouse.url", chUrl);
        c.put("sink.clickhouse.clickhouse.database", chDatabase);
        c.put("sink.elasticsearch.connector.class", "io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector");
        c.put("sink.elasticsearch.elasticsearch.urls", esUrl);
        c.put("sink.elasticsearch.index.name.format", esName + "_${table}");
        c.putAll(extraConfig);
        // A narrower 'sinks' leaves out the settings of the sinks it does not list.
        List<String> sinks = List.of(c.get("sinks").split(","));
        c.keySet().removeIf(k -> k.startsWith("sink.") && !sinks.contains(k.split("\\.")[1]));
        return c;
    }

    /** Writes {@link #pipelineConfig} as a pipeline file for {@code bin/cdc run}. */
    Path writeConfig(Path file) throws IOException {
        Properties props = new Properties();
        props.putAll(pipelineConfig());
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, "written by PipelineHarness");
        }
        return file;
    }

    /** No sink refused a record: each dead-letter file of the runner is absent or empty. */
    void assertNoDeadLetters() throws IOException {
        Path dir = workDir.resolve("dead-letters");
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                assertThat(Files.readString(file)).as("dead letters in %s", file).isEmpty();
            }
        }
    }

    /** The lines of a sink's dead-letter file (each a refused record with the reason); empty when none. */
    List<String> deadLetters(String sink) throws IOException {
        Path dir = workDir.resolve("dead-letters");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            List<Path> ofSink = files.filter(f -> f.getFileName().toString().endsWith("-" + sink + ".jsonl")).toList();
            return ofSink.isEmpty() ? List.of() : Files.readAllLines(ofSink.get(0));
        }
    }

    String jdbcUrl() {
        return pg.jdbcUrl();
    }

    String jdbcUser() {
        return pg.user();
    }

    Path offsetFile() {
        return workDir.resolve("offsets.dat");
    }

    /**
     * Whether the runner stored a streaming position (Debezium's {@code lsn_proc}), not one inside the initial
     * snapshot: a restart from it resumes the stream instead of taking the snapshot again.
     */
    boolean streamingPositionStored() throws IOException {
        Path offsets = offsetFile();
        return Files.exists(offsets) && new String(Files.readAllBytes(offsets),
                StandardCharsets.ISO_8859_1).contains("lsn_proc");
    }

    EmbeddedPipeline start() {
        return start(false);
    }

    /** Starts the pipeline; with {@code resnapshot} as {@code bin/cdc run --resnapshot} does. */
    EmbeddedPipeline start(boolean resnapshot) {
        EmbeddedPipeline pipeline = EmbeddedPipeline.validate(PipelineFile.parse(pipelineConfig()));
        try {
            pipeline.start(resnapshot);
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
        return pipeline;
    }

    /** Runs each statement in a transaction of its own. */
    void sql(String... statements) throws Exception {
        execute(true, statements);
    }

    /** Runs the statements in one transaction. */
    void transaction(String... statements) throws Exception {
        execute(false, statements);
    }

    private void execute(boolean autoCommit, String... statements) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            conn.setAutoCommit(autoCommit);
            for (String statement : statements) {
                st.execute(statement);
            }
            if (!autoCommit) {
                conn.commit();
            }
        }
    }

    /**
     * Waits until ClickHouse and Elasticsearch both equal Postgres for every table, then asserts it; returns how many
     * rows and documents were compared (each Postgres row once per copy).
     */
    long awaitCopiesEqualSource(long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            boolean equal = true;
            for (String table : CLICKHOUSE_FORM.keySet()) {
                Map<String, Map<String, String>> wanted = expectedDocs(table);
                equal &= clickHouseRows(table).equals(postgresRows(CLICKHOUSE_FORM.get(table)))
                        && comparable(elasticsearchDocs(table), wanted).equals(wanted);
            }
            if (equal || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(500);
        }
        long compared = 0;
        for (String table : CLICKHOUSE_FORM.keySet()) {
            List<List<String>> actual = clickHouseRows(table);
            List<List<String>> expected = postgresRows(CLICKHOUSE_FORM.get(table));
            List<List<String>> missing = new ArrayList<>(expected);
            missing.removeAll(new HashSet<>(actual));
            List<List<String>> extra = new ArrayList<>(actual);
            extra.removeAll(new HashSet<>(expected));
            assertThat(actual).as("ClickHouse view of %s: %d rows, %d expected; missing (first 5) %s; extra (first 5) %s; "
                            + "raw versions of the first missing key %s", table, actual.size(), expected.size(),
                    missing.subList(0, Math.min(5, missing.size())), extra.subList(0, Math.min(5, extra.size())),
                    missing.isEmpty() ? "-" : clickHouse("SELECT *, _part FROM " + chDatabase + "." + table + " WHERE toString("
                            + CLICKHOUSE_COLUMNS.get(table).split(",")[0].replace("toString(", "").replace(")", "")
                            + ") = '" + missing.get(0).get(0) + "' FORMAT TabSeparated"))
                    .isEqualTo(expected);
            Map<String, Map<String, String>> wanted = expectedDocs(table);
            Map<String, Map<String, String>> docs = comparable(elasticsearchDocs(table), wanted);
            if (!docs.equals(wanted)) {
                List<String> missingIds = wanted.keySet().stream().filter(id -> !docs.containsKey(id)).limit(5).toList();
                List<String> extraIds = docs.keySet().stream().filter(id -> !wanted.containsKey(id)).limit(5).toList();
                List<String> differing = wanted.keySet().stream().filter(id -> docs.containsKey(id)
                        && !docs.get(id).equals(wanted.get(id))).limit(5).map(id -> id + ": " + docs.get(id) + " but "
                        + wanted.get(id)).toList();
                throw new AssertionError("Elasticsearch index of " + table + ": " + docs.size() + " documents, "
                        + wanted.size() + " expected; missing (first 5) " + missingIds + "; extra (first 5) " + extraIds
                        + "; different (first 5) " + differing);
            }
            compared += expected.size() + wanted.size();
        }
        return compared;
    }

    List<List<String>> postgresRows(String query) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (Connection conn = pg.connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
        }
        return sorted(rows);
    }

    /** Rows in one order for both sides: the two servers sort text and numbers differently. */
    private static List<List<String>> sorted(List<List<String>> rows) {
        rows.sort(Comparator.comparing(row -> String.join("\u0001", row.stream().map(String::valueOf).toList())));
        return rows;
    }

    List<List<String>> clickHouseRows(String table) throws Exception {
        String view = chDatabase + "." + table + "_current";
        String body = clickHouse("SELECT " + CLICKHOUSE_COLUMNS.get(table).replace(" ORDER BY", " FROM " + view + " ORDER BY")
                + " FORMAT TabSeparated");
        List<List<String>> rows = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                rows.add(List.of(line.split("\t", -1)));
            }
        }
        return sorted(rows);
    }

    String clickHouse(String sql) throws Exception {
        // In the body: a query over a thousand tables is longer than a URL may be.
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(chUrl + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404 || response.body().contains("doesn't exist")) {
            return "";
        }
        assertThat(response.statusCode()).as("ClickHouse answered %s", response.body()).isEqualTo(200);
        return response.body();
    }

    /**
     * The documents with only the fields the expected ones have: a column a test adds to a table mid-stream is in
     * the documents written after, and is checked by that test itself.
     */
    private static Map<String, Map<String, String>> comparable(Map<String, Map<String, String>> docs,
            Map<String, Map<String, String>> expected) {
        if (expected.isEmpty()) {
            return docs;
        }
        Set<String> fields = expected.values().iterator().next().keySet();
        Map<String, Map<String, String>> out = new TreeMap<>();
        docs.forEach((id, doc) -> {
            Map<String, String> kept = new TreeMap<>();
            doc.forEach((field, value) -> {
                if (fields.contains(field)) {
                    kept.put(field, value);
                }
            });
            out.put(id, kept);
        });
        return out;
    }

    /** The started shard copies (primaries and replicas) of a table's index. */
    int elasticsearchShards(String table) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/_cat/shards/" + esName
                + "_" + table + "?h=state")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() != 200 ? 0 : (int) response.body().lines().filter("STARTED"::equals).count();
    }

    /** Waits until a table's index has {@code copies} started shard copies (replicas recovered after a node's return). */
    void awaitElasticsearchShards(String table, int copies, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (elasticsearchShards(table) < copies && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(elasticsearchShards(table)).as("started shard copies of %s", table).isEqualTo(copies);
    }

    /** Every document of a table's index, id to source, with values normalised for comparison. */
    Map<String, Map<String, String>> elasticsearchDocs(String table) throws Exception {
        String index = esName + "_" + table;
        http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + index + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/" + index
                + "/_search?size=5000&scroll=1m" + (esLocalCopiesOnly ? "&preference=_only_local" : "")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":{\"match_all\":{}}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Map<String, String>> docs = new TreeMap<>();
        // 404: the sink has not created the index yet; 503: it is creating it and the shard is not started yet.
        // Either way nothing is visible yet, and the caller polls again.
        if (response.statusCode() == 404 || response.statusCode() == 503) {
            return docs;
        }
        assertThat(response.statusCode()).as("Elasticsearch answered %s", response.body()).isEqualTo(200);
        JsonNode page = json.readTree(response.body());
        List<JsonNode> hits = new ArrayList<>();
        // Every document, page by page: a table can hold more than one search returns.
        while (page.path("hits").path("hits").size() > 0) {
            page.path("hits").path("hits").forEach(hits::add);
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/_search/scroll"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"scroll\":\"1m\",\"scroll_id\":\"" + page.path("_scroll_id").asText() + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(next.statusCode()).as("Elasticsearch answered %s", next.body()).isEqualTo(200);
            page = json.readTree(next.body());
        }
        http.send(HttpRequest.newBuilder(URI.create(esUrl + "/_search/scroll")).header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"scroll_id\":\"" + page.path("_scroll_id").asText()
                        + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode hit : hits) {
            Map<String, String> doc = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = hit.path("_source").properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                doc.put(field.getKey(), normalise(field.getKey(), field.getValue()));
            }
            docs.put(hit.path("_id").asText(), doc);
        }
        return docs;
    }

    private static String normalise(String field, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        String text = value.asText();
        return switch (field) {
            case "updated_at" -> MICROS.format(LocalDateTime.ofInstant(Instant.parse(text), ZoneOffset.UTC));
            case "created_at" -> MICROS.format(LocalDateTime.parse(text));
            default -> text;
        };
    }

    /** What each table's index should hold, built from Postgres. */
    Map<String, Map<String, String>> expectedDocs(String table) throws Exception {
        String query = switch (table) {
            case "customers" -> "SELECT id::text AS _id, id::text AS id, email, name, balance::text AS balance, "
                    + "active::text AS active, born::text AS born, "
                    + "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS updated_at FROM customers";
            case "orders" -> "SELECT id::text AS _id, id::text AS id, customer_id::text AS customer_id, status, "
                    + "total::text AS total, to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS created_at FROM orders";
            default -> "SELECT '[' || order_id || ',' || line || ']' AS _id, order_id::text AS order_id, "
                    + "line::text AS line, sku, qty::text AS qty FROM order_items";
        };
        Map<String, Map<String, String>> docs = new TreeMap<>();
        try (Connection conn = pg.connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(query)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> doc = new TreeMap<>();
                for (int i = 2; i <= meta.getColumnCount(); i++) {
                    doc.put(meta.getColumnLabel(i), rs.getString(i));
                }
                docs.put(rs.getString(1), doc);
            }
        }
        return docs;
    }

    /** The sink task's {@code snapshot-stale-removed-total}, over JMX as a Connect worker shows it. */
    static long staleRemoved(String sink) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> tasks = server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null).stream()
                .filter(n -> n.getKeyProperty("connector").endsWith("-" + sink) && n.getKeyProperty("task") != null
                        && n.getKeyProperty("table") == null && n.getKeyProperty("index") == null)
                .toList();
        assertThat(tasks).as("%s sink task MBeans", sink).hasSize(1);
        return ((Number) server.getAttribute(tasks.get(0), "snapshot-stale-removed-total")).longValue();
    }

    /** ClickHouse applies ALTER ... DELETE in the background: waits until it has. */
    void awaitClickHouseMutations() throws Exception {
        for (int i = 0; i < 100; i++) {
            if (clickHouse("SELECT count() FROM system.mutations WHERE database = '" + chDatabase
                    + "' AND is_done = 0").trim().equals("0")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the ClickHouse mutation did not finish within 10 s");
    }
}
