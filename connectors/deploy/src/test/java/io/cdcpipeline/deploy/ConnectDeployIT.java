package io.cdcpipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdcpipeline.lag.LagMonitor;
import io.cdcpipeline.lag.Observation;
import io.cdcpipeline.lag.config.MonitorConfig;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.CdcCommand;
import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestCluster;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.ProjectRoot;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.StackOutage;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out path on the stack's real Kafka broker and Connect cluster (distributed mode): the configs of
 * connect-configs/connect, deployed with {@code bin/cdc deploy}, run Debezium's Postgres connector and our two sinks
 * from the plugin bundle (with our ProtectPii on the source); a second worker joins and is stopped mid-stream, then
 * joins again and is killed; a bad config changes nothing; a failed task is shown and restarted on request.
 */
@RealStack(kafka = true)
class ConnectDeployIT {

    private static final int SECOND_WORKER_PORT = 28084;
    private static final String HASH_KEY = "connect-it-hash-key-4c1d8e2a9b";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aBadConfigIsRefusedWithItsKeysNamedAndNothingChanges(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path dir) throws Exception {
        Path configs = deployable(dir, pg, ch, es);
        edit(configs.resolve("clickhouse-sink.json"), config -> config.put("batch.max.rows", "0"));
        edit(configs.resolve("elasticsearch-sink.json"), config -> config.put("elasticsearch.urls", "not a url"));
        CdcCommand.Result result = deploy(stack, configs.toString());
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("clickhouse-sink.json").contains("batch.max.rows")
                .contains("elasticsearch-sink.json").contains("elasticsearch.urls")
                .contains("nothing was changed");
        JsonNode connectors = json.readTree(get(stack.requireConnectUrl() + "/connectors"));
        for (JsonNode name : connectors) {
            assertThat(name.asText()).as("no connector of this test was created").doesNotStartWith(pg.name());
        }
        // --dry-run on the good configs: shows what would be created, still changes nothing. A secret given as a
        // literal (our transform's HMAC key, a PASSWORD in its ConfigDef, named like no password) is masked.
        Path good = deployable(dir.resolve("good"), pg, ch, es);
        edit(good.resolve("postgres-source.json"), config -> config.put("transforms.pii.hash.key", "literal-hmac-k3y"));
        CdcCommand.Result dry = deploy(stack, "--dry-run", good.toString());
        assertThat(dry.exitCode()).as(dry.output()).isZero();
        assertThat(dry.output()).contains(pg.name() + "-postgres-source: would be created")
                .contains("+ database.dbname=" + pg.name()).contains("+ transforms.pii.hash.key=********")
                .doesNotContain("literal-hmac-k3y");
        assertThat(json.readTree(get(stack.requireConnectUrl() + "/connectors")).toString()).doesNotContain(pg.name());
        ReliabilityCase.badInput("Connect configs with settings the worker refuses, deployed with bin/cdc deploy")
                .mode("Connect")
                .expected("refused by the worker's validation, each file and setting named, nothing created (exit 2)")
                .observed("exit 2 naming clickhouse-sink.json batch.max.rows and elasticsearch-sink.json "
                        + "elasticsearch.urls, 'nothing was changed', no connector created").record();
        ReliabilityCase.defect("deploy --dry-run masked only keys named like \"password\"").mode("Connect")
                .expected("every PASSWORD key of the connector's own ConfigDef masked (HMAC keys, API keys)")
                .observed("'+ transforms.pii.hash.key=********'; the literal key appears nowhere in the output")
                .record();
    }

    /**
     * A task that fails is shown by {@code --status} with the first line of its trace (exit 1), and
     * {@code --restart-failed} restarts it once its cause is gone. Kafka's own FileStreamSink fails for a reason the
     * test can remove: its output folder is missing.
     */
    @Test
    void aFailedTaskIsShownWithItsCauseAndRestartedOnRequest(StackEndpoints stack, PostgresTestDatabase pg,
            @TempDir Path dir) throws Exception {
        String name = pg.name() + "-file-sink";
        Path folder = dir.resolve("not-yet");
        Path configs = Files.createDirectories(dir.resolve("configs"));
        Files.writeString(configs.resolve("file-sink.json"), json.writeValueAsString(Map.of("name", name, "config",
                Map.of("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector", "tasks.max", "1",
                        "topics", name + "-topic", "file", folder.resolve("out.txt").toString()))));
        try {
            CdcCommand.Result deployed = deploy(stack, configs.toString());
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            Await.until(() -> taskState(stack, name).equals("FAILED"), 60, name + "'s task to fail");
            CdcCommand.Result status = deploy(stack, "--status");
            assertThat(status.exitCode()).as("a failed task makes --status exit 1: %s", status.output()).isEqualTo(1);
            String row = Pattern.quote(name) + " +sink +RUNNING +0:";
            assertThat(status.output()).containsPattern(row + "FAILED@")
                    .contains("task 0: ").contains("out.txt");

            Files.createDirectories(folder);
            CdcCommand.Result restarted = deploy(stack, "--status", "--restart-failed");
            assertThat(restarted.exitCode()).as(restarted.output()).isZero();
            assertThat(restarted.output()).contains("restarting the failed parts of " + name);
            Await.until(() -> taskState(stack, name).equals("RUNNING"), 60, name + "'s task to run again");
            assertThat(folder.resolve("out.txt")).as("the restarted task opened its file").exists();
            CdcCommand.Result after = deploy(stack, "--status");
            assertThat(after.output()).containsPattern(row + "RUNNING@");
        } finally {
            http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl() + "/connectors/" + name)).DELETE()
                    .build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    @Test
    void deployedConnectorsMoveEveryChangeAndSurviveLosingAWorker(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path dir) throws Exception {
        createShopTables(pg);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto"); // hmac(), to compute the hashes expected
            st.execute("INSERT INTO customers (name, email) SELECT 'customer ' || g, 'c' || g || '@example.com' "
                    + "FROM generate_series(1, 50) g");
            st.execute("INSERT INTO orders (customer_id, total, status) SELECT 1 + g % 50, g * 1.25, 'new' "
                    + "FROM generate_series(1, 200) g");
        }
        Path configs = deployable(dir, pg, ch, es);
        List<String> names = List.of(pg.name() + "-postgres-source", pg.name() + "-clickhouse-sink",
                pg.name() + "-elasticsearch-sink");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer = null;
        try {
            CdcCommand.require("stack", "worker", "start", Integer.toString(SECOND_WORKER_PORT));
            CdcCommand.Result deployed = deploy(stack, configs.toString());
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            assertThat(deployed.output()).contains(names.get(0) + ": created").contains(names.get(1) + ": created")
                    .contains(names.get(2) + ": created");
            CdcCommand.Result again = deploy(stack, configs.toString());
            assertThat(again.output()).as("deploying the same files again changes nothing")
                    .contains(names.get(0) + ": unchanged").contains(names.get(2) + ": unchanged");

            Await.until(() -> workersRunning(stack, names).size() == 2, 120,
                    "every task RUNNING, spread over both workers: " + workersRunning(stack, names));
            writer = new Thread(() -> {
                for (int i = 0; writing.get(); i++) {
                    try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                        st.execute("INSERT INTO orders (customer_id, total, status) VALUES (" + (1 + i % 50)
                                + ", 9.99, 'new')");
                        st.execute("UPDATE orders SET status = 'paid', total = total + 1 WHERE id = " + (1 + i % 200));
                        if (i % 10 == 0) {
                            st.execute("DELETE FROM orders WHERE id = " + (1 + (i * 7) % 200));
                        }
                        written.incrementAndGet();
                        Thread.sleep(50);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "orders-writer");
            writer.start();
            Await.until(() -> written.get() > 40, 60, "the writer is under way");
            CdcCommand.require("stack", "worker", "stop", Integer.toString(SECOND_WORKER_PORT));
            Await.until(() -> workersRunning(stack, names).size() == 1, 120,
                    "every task RUNNING again on the remaining worker: " + workersRunning(stack, names));
            Await.until(() -> written.get() > 120, 60, "the writer went on after the rebalance");
            // Now a crash: the second worker comes back, takes its share, and is killed without a word. Its tasks
            // neither stop nor commit; whatever they wrote past the last commit is delivered again to the tasks
            // that take over, and the sinks' versions keep that from changing anything.
            CdcCommand.require("stack", "worker", "start", Integer.toString(SECOND_WORKER_PORT));
            Await.until(() -> workersRunning(stack, names).size() == 2, 120,
                    "tasks spread over both workers again: " + workersRunning(stack, names));
            int beforeCrash = written.get();
            Await.until(() -> written.get() > beforeCrash + 40, 60, "the writer is under way on two workers");
            CdcCommand.require("stack", "worker", "kill", Integer.toString(SECOND_WORKER_PORT));
            Await.until(() -> workersRunning(stack, names).size() == 1, 120,
                    "every task RUNNING on the remaining worker after the crash: " + workersRunning(stack, names));
            int afterCrash = written.get();
            Await.until(() -> written.get() > afterCrash + 40, 60, "the writer went on after the crash");
            // The Kafka broker restarts under the load: every task waits for it and goes on by itself.
            StackOutage.stop("kafka");
            Thread.sleep(10_000);
            StackOutage.restore();
            Await.until(() -> workersRunning(stack, names).size() == 1, 180,
                    "every task RUNNING after the broker restart: " + workersRunning(stack, names));
            int afterBroker = written.get();
            Await.until(() -> written.get() > afterBroker + 40, 60, "the writer went on after the broker restart");
            writing.set(false);
            writer.join(10_000);
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE customers SET email = NULL WHERE id = 7");
                st.execute("DELETE FROM customers WHERE id = 8");
                st.execute("UPDATE customers SET email = 'changed9@example.com' WHERE id = 9");
            }

            Set<String> orders = postgres(pg, "SELECT id || ':' || status || ':' || total FROM orders");
            Set<String> customers = postgres(pg, "SELECT id || ':' || coalesce(encode(hmac(email, '" + HASH_KEY
                    + "', 'sha256'), 'hex'), '-') FROM customers");
            Await.until(() -> clickHouse(ch, "SELECT concat(toString(id), ':', status, ':', toString(total)) FROM "
                    + ch.name() + ".orders_current").equals(orders), 180, "ClickHouse orders equal Postgres ("
                    + orders.size() + " rows)");
            Await.until(() -> clickHouse(ch, "SELECT concat(toString(id), ':', ifNull(email, '-')) FROM " + ch.name()
                    + ".customers_current").equals(customers), 60, "ClickHouse customers equal Postgres");
            Await.until(() -> elasticsearch(es, "orders", "status", "total").equals(orders), 120,
                    "Elasticsearch orders equal Postgres");
            Await.until(() -> elasticsearch(es, "customers", "email", null).equals(customers), 60,
                    "Elasticsearch customers equal Postgres");
            assertThat(topicValues(stack, pg.name() + ".public.customers")).as("the customers topic in Kafka")
                    .hasSizeGreaterThanOrEqualTo(50).noneMatch(value -> value.contains("@example.com"))
                    .anyMatch(value -> value.matches("(?s).*\"email\":\"[0-9a-f]{64}\".*"));
            CdcCommand.Result status = deploy(stack, "--status");
            assertThat(status.exitCode()).as(status.output()).isZero();
            assertThat(status.output()).contains(names.get(1)).contains("RUNNING");
            long compared = 2L * (orders.size() + customers.size());
            ReliabilityCase.fault("Connect worker stopped, then another SIGKILLed, under load").mode("Connect")
                    .expected("the tasks rebalance to the remaining worker; redelivered records change nothing; both "
                            + "copies equal Postgres")
                    .observed("every task RUNNING on the remaining worker after each; ClickHouse and Elasticsearch "
                            + "equal Postgres").rowsCompared(compared).record();
            ReliabilityCase.fault("Kafka broker restarted (down 10 s) under load").mode("Connect")
                    .expected("source and sink tasks wait for the broker and go on by themselves; nothing lost")
                    .observed("every task RUNNING again without a restart request; both copies equal Postgres")
                    .rowsCompared(compared).record();
            lagMonitorReadsOurSinksInTheWorker(stack, pg, ch, es, dir, names);
        } finally {
            writing.set(false);
            if (writer != null) {
                writer.join(10_000);
            }
            CdcCommand.run("stack", "worker", "stop", Integer.toString(SECOND_WORKER_PORT));
            for (String name : names) {
                http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl() + "/connectors/" + name))
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /**
     * Connect mode's lost position: the source connector's offsets are deleted while its slot stays, and rows are
     * deleted meanwhile. {@code deploy --status} and the lag monitor flag it; resumed, Debezium
     * takes a new snapshot, and the sinks remove the rows it did not send again: both copies end equal to Postgres.
     */
    /**
     * A table created while the source connector runs, matching its include list: the source's CaptureNewTables adds
     * it to the filtered publication and has it snapshotted once its first change went by, so the rows written in
     * the transaction that created it (never streamed) reach ClickHouse as well as the later ones. Its
     * two-dimensional array column arrives whole through our Debezium converter, loaded from Debezium's plugin folder.
     * A later type change no ALTER follows makes the ClickHouse sink rebuild the table on the cluster.
     */
    @Test
    void aTableCreatedWhileTheSourceRunsArrivesWithItsEarlierRows(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path dir) throws Exception {
        createShopTables(pg);
        Path configs = deployable(dir, pg, ch, es);
        String include = "public.customers,public.orders,public.cdc_heartbeat,public.debezium_signal,public\\.audit_.*";
        edit(configs.resolve("postgres-source.json"), config -> {
            config.put("table.include.list", include);
            config.put("transforms.newtables.table.include.list", include);
            // Our Debezium converter, loaded from Debezium's plugin folder, where the stack puts its jar
            config.put("converters", "cdcmultidim");
            config.put("cdcmultidim.type", "io.cdcpipeline.debezium.MultiDimensionalArrays");
            // which finds the columns declared with several dimensions in the catalog (audit_log comes later)
            config.put("cdcmultidim.database.url", "jdbc:postgresql://${env:CDC_PG_HOST}:${env:CDC_PG_PORT}/"
                    + pg.name());
            config.put("cdcmultidim.database.user", config.path("database.user").asText());
            config.put("cdcmultidim.database.password", config.path("database.password").asText());
        });
        edit(configs.resolve("clickhouse-sink.json"), config -> config.put("topics.regex",
                pg.name() + "\\.public\\.(customers|orders|cdc_heartbeat|debezium_signal|audit_log)"));
        List<String> names = List.of(pg.name() + "-postgres-source", pg.name() + "-clickhouse-sink",
                pg.name() + "-elasticsearch-sink");
        try {
            CdcCommand.Result deployed = deploy(stack, configs.toString());
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            Await.until(() -> workersRunning(stack, names).size() == 1, 120, "every task RUNNING");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO orders (customer_id, total, status) VALUES (1, 1.00, 'new')");
            }
            Await.until(() -> clickHouse(ch, "SELECT count() FROM " + ch.name() + ".orders_current").contains("1"),
                    120, "the source streams");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("CREATE TABLE audit_log (id integer PRIMARY KEY, note text, grid integer[][])");
                st.execute("INSERT INTO audit_log SELECT g, 'before ' || g, ARRAY[[g, NULL], [g + 1, g + 2]] "
                        + "FROM generate_series(1, 100) g");
                c.commit();
            }
            Await.until(() -> postgres(pg, "SELECT tablename FROM pg_publication_tables WHERE pubname = '"
                    + pg.name() + "_pub'").contains("audit_log"), 60, "audit_log added to the publication");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO audit_log SELECT g, 'after ' || g, ARRAY[[g]] FROM generate_series(101, 110) g");
            }
            Await.until(() -> clickHouse(ch, "SELECT count() FROM " + ch.name() + ".audit_log_current")
                    .equals(Set.of("110")), 180, "every audit_log row in ClickHouse");
            assertThat(clickHouse(ch, "SELECT note FROM " + ch.name() + ".audit_log_current WHERE id IN (1, 110)"))
                    .containsExactlyInAnyOrder("before 1", "after 110");
            assertThat(clickHouse(ch, "SELECT concat(toString(id), ':', grid) FROM " + ch.name() + ".audit_log_current"))
                    .as("the two-dimensional arrays, converted on the Connect worker")
                    .isEqualTo(postgres(pg, "SELECT id || ':' || array_to_json(grid)::text FROM audit_log"));

            // A change no ALTER follows (text to integer, computed by Postgres's USING): the sink rebuilds the table
            // from an incremental snapshot it asks for through the signal table, and swaps it in once it holds as
            // many rows as the source (no snapshot notification reaches a sink on Connect).
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("ALTER TABLE audit_log ALTER COLUMN note TYPE integer USING id * 2");
                st.execute("INSERT INTO audit_log VALUES (111, 7, NULL)");
                st.execute("UPDATE audit_log SET note = -1 WHERE id = 5");
            }
            Await.until(() -> clickHouse(ch, "SELECT concat(toString(id), ':', toString(note)) FROM " + ch.name()
                    + ".audit_log_current").equals(postgres(pg, "SELECT id || ':' || note FROM audit_log")), 180,
                    "the rebuilt audit_log equals Postgres");
            assertThat(clickHouse(ch, "SELECT type FROM system.columns WHERE database = '" + ch.name()
                    + "' AND table = 'audit_log' AND name = 'note'")).containsExactly("Nullable(Int32)");
            // Each new topic the sink's topics.regex matches makes Connect deal the partitions out again; a task
            // that takes audit_log over mid-rebuild joins the rebuild and asks for the snapshot once more.
            assertThat(postgres(pg, "SELECT count(*) FROM debezium_signal WHERE id LIKE 'resync-%'"))
                    .as("the snapshot the sink asked for").singleElement()
                    .satisfies(n -> assertThat(Integer.parseInt(n)).isPositive());
        } finally {
            for (String name : names) {
                http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl() + "/connectors/" + name))
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /**
     * connect-configs/outbox as shipped, on the worker: each service transaction writes an order and two outbox rows
     * it deletes again; every event is once in its aggregate's ClickHouse event table and Elasticsearch index, as a
     * CloudEvent, and the outbox's deletes remove none. A sink restart in the middle replays what it had not
     * committed, which adds no event.
     */
    @Test
    void theShippedOutboxConfigsTurnEachOutboxRowIntoOneEventOnConnect(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path dir) throws Exception {
        int transactions = 40;
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL)");
            st.execute("CREATE TABLE outbox_events (id uuid PRIMARY KEY, aggregatetype text NOT NULL, "
                    + "aggregateid text NOT NULL, type text NOT NULL, payload jsonb, "
                    + "created_at timestamptz NOT NULL DEFAULT now())");
        }
        Path configs = deployable(dir, "outbox", pg, ch, es);
        List<String> names = List.of(pg.name() + "-outbox-postgres-source", pg.name() + "-outbox-clickhouse-sink",
                pg.name() + "-outbox-elasticsearch-sink");
        try {
            CdcCommand.Result deployed = deploy(stack, configs.toString());
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            Await.until(() -> workersRunning(stack, names).size() == 1, 120, "every task RUNNING");
            for (int i = 1; i <= transactions; i++) {
                try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    st.execute("INSERT INTO orders VALUES (" + i + ", 'placed')");
                    for (String aggregate : List.of("order", "customer")) {
                        st.execute("INSERT INTO outbox_events (id, aggregatetype, aggregateid, type, payload) VALUES "
                                + "(md5('" + aggregate + i + "')::uuid, '" + aggregate + "', '" + i + "', 'Placed', "
                                + "jsonb_build_object('n', " + i + "))");
                    }
                    st.execute("DELETE FROM outbox_events");
                    c.commit();
                }
                if (i == transactions / 2) {
                    send("POST", stack.requireConnectUrl() + "/connectors/" + names.get(1) + "/restart"
                            + "?includeTasks=true", 200, 202, 204);
                    send("POST", stack.requireConnectUrl() + "/connectors/" + names.get(2) + "/restart"
                            + "?includeTasks=true", 200, 202, 204);
                }
            }
            for (String aggregate : List.of("order", "customer")) {
                String table = ch.name() + "." + aggregate + "_events_current";
                Await.until(() -> clickHouse(ch, "SELECT uniqExact(id) FROM " + table)
                        .equals(Set.of(String.valueOf(transactions))), 180, "every " + aggregate + " event in ClickHouse");
                assertThat(clickHouse(ch, "SELECT count() FROM " + table)).as("each %s event once", aggregate)
                        .containsExactly(String.valueOf(transactions));
                assertThat(clickHouse(ch, "SELECT DISTINCT concat(specversion, ' ', type, ' ', source) FROM " + table))
                        .containsExactly("1.0 com.example.shop.Placed /postgres/public/outbox_events");
                String index = es.name() + "_" + aggregate + "_events";
                Await.until(() -> elasticsearch(es, aggregate + "_events", "subject", null).size() == transactions,
                        120, "every " + aggregate + " event in Elasticsearch");
                JsonNode hit = json.readTree(http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + index
                        + "/_search?q=data.n:7")).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .path("hits").path("hits");
                assertThat(hit).hasSize(1);
                assertThat(hit.get(0).path("_id").asText()).isEqualTo(postgres(pg, "SELECT md5('" + aggregate
                        + "7')::uuid::text").iterator().next());
            }
            assertThat(clickHouse(ch, "SELECT count() FROM " + ch.name() + ".orders_current"))
                    .containsExactly(String.valueOf(transactions));
            assertThat(postgres(pg, "SELECT count(*) FROM outbox_events")).containsExactly("0");
        } finally {
            for (String name : names) {
                http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl() + "/connectors/" + name))
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    @Test
    void aLostSourcePositionIsFlaggedAndTheNewSnapshotCleansBothSinks(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path dir) throws Exception {
        createShopTables(pg);
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO customers (name, email) SELECT 'customer ' || g, NULL FROM generate_series(1, 30) g");
            st.execute("INSERT INTO orders (customer_id, total, status) SELECT 1 + g % 30, g * 1.25, 'new' "
                    + "FROM generate_series(1, 120) g");
        }
        Path configs = deployable(dir, pg, ch, es);
        List<String> names = List.of(pg.name() + "-postgres-source", pg.name() + "-clickhouse-sink",
                pg.name() + "-elasticsearch-sink");
        String source = names.get(0);
        String connect = stack.requireConnectUrl();
        try {
            CdcCommand.Result deployed = deploy(stack, configs.toString());
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            awaitCopiesEqual(pg, ch, es);
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE orders SET status = 'paid' WHERE id = 1"); // a streamed change, stored as offset
            }
            Await.until(() -> deploy(stack, "--status").output().contains("position: resuming from"), 60,
                    "--status shows the source resuming from its stored position: " + deploy(stack, "--status").output());

            // The position is lost: offsets deleted (the connector stopped first, as Connect requires).
            send("PUT", connect + "/connectors/" + source + "/stop", 202, 204);
            Await.until(() -> json.readTree(get(connect + "/connectors/" + source + "/status")).path("connector")
                    .path("state").asText().equals("STOPPED"), 60, source + " stopped");
            send("DELETE", connect + "/connectors/" + source + "/offsets", 200);
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM orders WHERE id % 4 = 0"); // 30 rows
                st.execute("DELETE FROM customers WHERE id > 20"); // 10 rows
                st.execute("INSERT INTO orders (customer_id, total, status) VALUES (1, 5.00, 'late')");
            }
            CdcCommand.Result flagged = deploy(stack, "--status");
            assertThat(flagged.exitCode()).as("a lost position makes --status exit 1: %s", flagged.output())
                    .isEqualTo(1);
            assertThat(flagged.output()).contains("position: FLAGGED POSITION_LOST: no stored position, but "
                    + "replication slot '" + pg.name() + "' exists");
            try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(connectModeMonitor(stack, pg, ch, es, dir, names)),
                    Clock.systemUTC())) {
                monitor.prepare();
                monitor.start();
                Await.until(() -> monitor.sourcePositions().stream().anyMatch(p -> p.connector().equals(source)
                        && p.flagged()), 60, "the lag monitor flags " + source + ": " + monitor.sourcePositions());
                assertThat(monitor.unhealthyReasons()).anyMatch(r -> r.startsWith("source connector " + source + ": no "
                        + "stored position"));
            }

            // Resumed without a position, Debezium snapshots again; the sinks sweep what it did not send.
            send("PUT", connect + "/connectors/" + source + "/resume", 202, 204);
            awaitCopiesEqual(pg, ch, es);
            assertThat(clickHouse(ch, "SELECT count() FROM " + ch.name() + ".customers_current")).containsExactly("20");
            Await.until(() -> deploy(stack, "--status").exitCode() == 0, 90, "--status clear again once the new "
                    + "position is stored: " + deploy(stack, "--status").output());

            // bin/cdc validate reads the same connector files: both copies equal Postgres, value for value, except
            // the e-mail column ProtectPii hashes on the source connector, which is left out and said so.
            CdcCommand.Result validated = CdcCommand.run("validate", "--connect-configs", configs.toString(),
                    "--settle-seconds", "1", "--table", "public.customers", "--table", "public.orders");
            assertThat(validated.exitCode()).as(validated.output()).isZero();
            assertThat(validated.output()).contains("public.customers -> " + pg.name() + "-clickhouse-sink",
                    "public.orders -> " + pg.name() + "-elasticsearch-sink", "equal (20 rows, by checksums)",
                    "values not compared: email (pii (ProtectPii): hash)").doesNotContain("DRIFT");

            // Drift by hand in both copies of a Connect deployment: validate names exactly it, --repair puts it
            // right through the connectors (an incremental snapshot, versioned deletes, a no-op update).
            List<Long> ids = postgres(pg, "SELECT id::text FROM orders").stream().map(Long::parseLong).sorted()
                    .toList();
            long hidden = ids.get(0);
            long changed = ids.get(1);
            String status = postgres(pg, "SELECT status FROM orders WHERE id = " + changed).iterator().next();
            clickHouseExecute(ch, "INSERT INTO " + ch.name() + ".orders (id, customer_id, total, status, _cdc_version, "
                    + "_cdc_deleted, _cdc_source_ts) SELECT id, customer_id, total, status, _cdc_version + 1, 1, "
                    + "_cdc_source_ts FROM " + ch.name() + ".orders FINAL WHERE id = " + hidden);
            clickHouseExecute(ch, "INSERT INTO " + ch.name() + ".orders (id, customer_id, total, status, _cdc_version, "
                    + "_cdc_deleted, _cdc_source_ts) VALUES (900001, 1, 1, 'ghost', 1, 0, now())");
            String index = es.name() + "_orders";
            esWrite("POST", es.url() + "/" + index + "/_update/" + changed + "?refresh=true",
                    "{\"doc\": {\"status\": \"tampered\"}}");
            esWrite("PUT", es.url() + "/" + index + "/_doc/900002?refresh=true&version=1&version_type=external",
                    "{\"id\": 900002, \"customer_id\": 1, \"total\": \"1.00\", \"status\": \"ghost\"}");
            // Two records in the ClickHouse sink's dead-letter topic, as Connect writes them (the context header
            // names the topic each was read from): validate counts them per table.
            deadLetters(stack, pg.name() + "-clickhouse-dead-letters", pg.name() + ".public.orders", 2);
            CdcCommand.Result drift = CdcCommand.run("validate", "--connect-configs", configs.toString(),
                    "--settle-seconds", "1", "--table", "public.orders");
            assertThat(drift.exitCode()).as(drift.output()).isEqualTo(1);
            assertThat(drift.output()).contains("public.orders -> " + pg.name() + "-clickhouse-sink",
                    "1 missing, 1 extra, 0 with other values", "missing keys (1): " + hidden,
                    "extra keys (1): 900001", "0 missing, 1 extra, 1 with other values", "extra keys (1): 900002",
                    changed + ": status Postgres '" + status + "', copy 'tampered'",
                    "dead letters: 2 records of this table in topic " + pg.name() + "-clickhouse-dead-letters",
                    // the re-checks waited until both sinks' consumer groups had committed past a mark
                    "re-check 2 of 2: every sink's consumer group committed past the mark");
            CdcCommand.Result repaired = CdcCommand.run("validate", "--connect-configs", configs.toString(),
                    "--settle-seconds", "1", "--table", "public.orders", "--repair");
            assertThat(repaired.exitCode()).as(repaired.output()).isZero();
            String after = repaired.output().substring(repaired.output().indexOf("== after repair"));
            assertThat(after).contains("public.orders -> " + pg.name() + "-clickhouse-sink",
                    "public.orders -> " + pg.name() + "-elasticsearch-sink").doesNotContain("DRIFT");
        } finally {
            for (String name : names) {
                http.send(HttpRequest.newBuilder(URI.create(connect + "/connectors/" + name)).DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /** The tables connect-configs/connect captures, the lag monitor's heartbeat table among them from the start. */
    /**
     * The cluster variant of the sinks (connect-configs/cluster) with the shipped source, deployed as users do:
     * every replica of the ClickHouse cluster and every node's own shard copies end equal to Postgres.
     */
    @Test
    void theShippedClusterConfigsWriteEveryReplicaAndNode(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestCluster ch, ElasticsearchTestCluster es, @TempDir Path dir) throws Exception {
        createShopTables(pg);
        Path configs = deployable(dir, "connect", "cluster", pg, ch.database(), es.name());
        edit(configs.resolve("postgres-source.json"), config -> {
            config.put("transforms.newtables.database.dbname", pg.name());
            config.put("transforms.newtables.publication.name", pg.name() + "_pub");
        });
        // The worker's environment points at the stack's single servers: the clusters' endpoints are put in the files.
        edit(configs.resolve("clickhouse-sink.json"), config -> {
            config.put("clickhouse.url", ch.urls());
            config.put("clickhouse.cluster", ch.name());
        });
        edit(configs.resolve("elasticsearch-sink.json"), config -> config.put("elasticsearch.urls", es.urls()));
        List<String> names = List.of(pg.name() + "-postgres-source", pg.name() + "-clickhouse-sink",
                pg.name() + "-elasticsearch-sink");
        try {
            CdcCommand.Result deployed = deploy(stack, configs.toString());
            assertThat(deployed.exitCode()).as(deployed.output()).isZero();
            Await.until(() -> workersRunning(stack, names).size() == 1, 120, "every task RUNNING");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO customers (name, email) SELECT 'c' || g, 'c' || g || '@example.com' "
                        + "FROM generate_series(1, 20) g");
                st.execute("INSERT INTO orders (customer_id, total, status) SELECT 1 + g % 20, g * 1.5, 'new' "
                        + "FROM generate_series(1, 300) g");
                st.execute("UPDATE orders SET status = 'paid' WHERE id % 3 = 0");
                st.execute("DELETE FROM orders WHERE id % 10 = 0");
            }
            String expected = postgres(pg, "SELECT count(*) || ' ' || sum(total) || ' ' || count(*) FILTER (WHERE "
                    + "status = 'paid') FROM orders").iterator().next();
            for (int n = 1; n <= 2; n++) {
                int node = n;
                Await.until(() -> answers(() -> ch.query(node, "SELECT concat(toString(count()), ' ', "
                        + "toString(sum(total)), ' ', toString(countIf(status = 'paid'))) FROM " + ch.database()
                        + ".orders_current")).equals(expected), 180, "orders on ClickHouse replica " + node);
                String count = expected.split(" ")[0];
                Await.until(() -> answers(() -> es.request(node, "GET", "/" + es.name()
                        + "_orders/_count?preference=_only_local", null)).contains("\"count\":" + count + ","), 120,
                        "orders in node " + node + "'s copies");
            }
            assertThat(es.request(1, "GET", "/" + es.name() + "_orders/_settings/index.number_of_replicas", null))
                    .as("the shipped index.settings").contains("\"number_of_replicas\":\"1\"");
        } finally {
            for (String name : names) {
                http.send(HttpRequest.newBuilder(URI.create(stack.requireConnectUrl() + "/connectors/" + name))
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    /** What a server answered, or "" while it refuses (a table or index the sinks have not made yet). */
    private static String answers(java.util.function.Supplier<String> query) {
        try {
            return query.get();
        } catch (IllegalStateException e) {
            return "";
        }
    }

    private static void createShopTables(PostgresTestDatabase pg) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text)");
            st.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL, "
                    + "total numeric(12,2) NOT NULL, status text NOT NULL)");
            st.execute("CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, "
                    + "data varchar(2048))");
            st.execute("CREATE TABLE cdc_heartbeat (id integer PRIMARY KEY, beat_ms bigint NOT NULL, "
                    + "beat_at timestamptz NOT NULL)");
        }
    }

    /** Orders (id, status, total) and customer ids in both sinks equal Postgres. */
    private void awaitCopiesEqual(PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es)
            throws Exception {
        Set<String> orders = postgres(pg, "SELECT id || ':' || status || ':' || total FROM orders");
        Set<String> customers = postgres(pg, "SELECT id || ':-' FROM customers");
        Await.until(() -> clickHouse(ch, "SELECT concat(toString(id), ':', status, ':', toString(total)) FROM "
                + ch.name() + ".orders_current").equals(orders), 180, "ClickHouse orders equal Postgres ("
                + orders.size() + " rows)");
        Await.until(() -> clickHouse(ch, "SELECT concat(toString(id), ':-') FROM " + ch.name()
                + ".customers_current").equals(customers), 60, "ClickHouse customers equal Postgres ("
                + customers.size() + " rows)");
        Await.until(() -> elasticsearch(es, "orders", "status", "total").equals(orders), 120,
                "Elasticsearch orders equal Postgres");
        Await.until(() -> elasticsearch(es, "customers", "email", null).equals(customers), 60,
                "Elasticsearch customers equal Postgres (" + customers.size() + " rows)");
    }

    private void clickHouseExecute(ClickHouseTestDatabase ch, String sql) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/")).POST(
                HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", sql, response.body()).isEqualTo(200);
    }

    private void esWrite(String method, String url, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type",
                "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", method, url, response.body()).isBetween(200, 299);
    }

    private void send(String method, String url, int... accepted) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Arrays.stream(accepted).boxed().toList()).as("%s %s answered %s: %s", method, url,
                response.statusCode(), response.body()).contains(response.statusCode());
    }

    /** A Connect-mode lag monitor config for these connectors. */
    private static Path connectModeMonitor(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, Path dir, List<String> names) throws Exception {
        String jmx = System.getenv().getOrDefault("CDC_CONNECT_JMX", "127.0.0.1:28099");
        Path config = dir.resolve("lag.yaml");
        Files.writeString(config, """
                postgres: {url: "%s", user: %s, slot: %s}
                heartbeat: {interval: 1s}
                check: {interval: 1s}
                sinks:
                  analytics: {type: clickhouse, url: "%s", database: %s, metrics: {jmx: "%s", connector: %s}}
                  search: {type: elasticsearch, url: "%s", index: %s_cdc_heartbeat, metrics: {jmx: "%s", connector: %s}}
                slos:
                  - {sink: analytics, threshold: 60s}
                  - {sink: search, threshold: 60s}
                connect: {url: "%s", kafka: "%s", connectors: [%s, %s]}
                http: {port: 0}
                """.formatted(pg.jdbcUrl(), pg.user(), pg.name(), ch.url(), ch.name(), jmx, names.get(1), es.url(),
                es.name(), jmx, names.get(2), stack.requireConnectUrl(), stack.requireKafkaBootstrap(), names.get(1),
                names.get(2)));
        return config;
    }

    /**
     * The lag monitor in Connect mode against these connectors: heartbeats through Kafka into both sinks, our sinks'
     * per-table metrics read over the worker's JMX, consumer-group lag per topic and the connectors' states.
     */
    private void lagMonitorReadsOurSinksInTheWorker(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, Path dir, List<String> names) throws Exception {
        Path config = connectModeMonitor(stack, pg, ch, es, dir, names);
        try (LagMonitor monitor = new LagMonitor(MonitorConfig.load(config), Clock.systemUTC())) {
            monitor.prepare();
            monitor.start();
            Await.until(() -> monitor.sinks().values().stream().allMatch(s -> s.newestVisible() != null)
                    && tableOf(monitor, "analytics", ch.name() + ".orders") != null
                    && tableOf(monitor, "search", es.name() + "_orders") != null
                    && monitor.unhealthyReasons().isEmpty(), 120, "heartbeats through Kafka into both sinks and their "
                    + "tables read over the worker's JMX: " + monitor.sinks() + " " + monitor.tables() + " "
                    + monitor.unhealthyReasons());
            Observation.TableState orders = tableOf(monitor, "analytics", ch.name() + ".orders");
            assertThat(orders.pending()).isZero();
            assertThat(orders.watermark()).as("newest change applied to orders").isNotNull();
            assertThat(orders.freshness()).isLessThan(Duration.ofSeconds(60));
            assertThat(monitor.consumerLags()).containsKeys(names.get(1), names.get(2));
            assertThat(monitor.consumerLags().get(names.get(1)).recordsByTopic())
                    .containsKey(pg.name() + ".public.orders");
            assertThat(monitor.connectors()).filteredOn(c -> names.contains(c.name()))
                    .allMatch(c -> !c.failed() && "RUNNING".equals(c.state()));
        }
    }

    private static Observation.TableState tableOf(LagMonitor monitor, String sink, String table) {
        return monitor.tables().getOrDefault(sink, List.of()).stream().filter(t -> t.table().equals(table)).findFirst()
                .orElse(null);
    }

    /** connect-configs/connect, pointed at this test's database, ClickHouse database and index prefix. */
    private Path deployable(Path dir, PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es)
            throws Exception {
        Path configs = deployable(dir, "connect", pg, ch, es);
        // Our ProtectPii on Debezium's connector: a transform from our plugin on a connector from another plugin,
        // its key read by the worker's file provider; no e-mail reaches Kafka in clear.
        Path secrets = dir.resolve("pii.properties");
        Files.writeString(secrets, "hash.key=" + HASH_KEY + "\n");
        edit(configs.resolve("postgres-source.json"), config -> {
            config.put("transforms.newtables.database.dbname", pg.name());
            config.put("transforms.newtables.publication.name", pg.name() + "_pub");
            config.put("transforms.newtables.check.interval.ms", "1000");
            config.put("transforms", "newtables,pii");
            config.put("transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
            config.put("transforms.pii.columns", "public.customers.email=hash");
            config.put("transforms.pii.hash.key", "${file:" + secrets + ":hash.key}");
        });
        return configs;
    }

    /**
     * A folder of connect-configs as shipped, pointed at this test's database, ClickHouse database and index prefix:
     * connector names, topics and dead-letter topics start with the test database's name instead of "shop".
     */
    private Path deployable(Path dir, String folder, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es) throws Exception {
        return deployable(dir, folder, folder, pg, ch.name(), es.name());
    }

    /** The same, the source's file from {@code sourceFolder} and the sinks' from {@code sinkFolder}. */
    private Path deployable(Path dir, String sourceFolder, String sinkFolder, PostgresTestDatabase pg,
            String clickHouseDatabase, String indexPrefix) throws Exception {
        Files.createDirectories(dir);
        Path configs = ProjectRoot.path().resolve("connect-configs");
        for (String file : List.of("postgres-source.json", "clickhouse-sink.json", "elasticsearch-sink.json")) {
            Path source = configs.resolve(file.equals("postgres-source.json") ? sourceFolder : sinkFolder);
            ObjectNode connector = (ObjectNode) json.readTree(source.resolve(file).toFile());
            connector.put("name", connector.path("name").asText().replaceFirst("^shop", pg.name()));
            ObjectNode config = (ObjectNode) connector.path("config");
            if (file.equals("postgres-source.json")) {
                config.put("database.dbname", pg.name());
                config.put("topic.prefix", pg.name());
                config.put("slot.name", pg.name());
                config.put("publication.name", pg.name() + "_pub");
            } else {
                config.put("topics.regex", config.path("topics.regex").asText().replaceFirst("^shop", pg.name()));
                config.put("consistency.source.url", sourceUrl(config, pg));
                config.put("errors.deadletterqueue.topic.name", config.path("errors.deadletterqueue.topic.name")
                        .asText().replaceFirst("^shop", pg.name()));
                if (file.equals("clickhouse-sink.json")) {
                    config.put("clickhouse.database", clickHouseDatabase);
                } else {
                    config.put("index.name.format", config.path("index.name.format").asText()
                            .replaceFirst("^shop", indexPrefix));
                }
            }
            Files.writeString(dir.resolve(file), json.writerWithDefaultPrettyPrinter().writeValueAsString(connector));
        }
        return dir;
    }

    /** The shipped source URL of a sink's config, for this test's database. */
    private static String sourceUrl(ObjectNode config, PostgresTestDatabase pg) {
        return config.path("consistency.source.url").asText().replaceFirst("/shop$", "/" + pg.name());
    }

    private void edit(Path file, Consumer<ObjectNode> change) throws Exception {
        ObjectNode connector = (ObjectNode) json.readTree(file.toFile());
        change.accept((ObjectNode) connector.path("config"));
        Files.writeString(file, json.writeValueAsString(connector));
    }

    private static CdcCommand.Result deploy(StackEndpoints stack, String... args) {
        List<String> all = new ArrayList<>(List.of("deploy", "--url", stack.requireConnectUrl()));
        all.addAll(List.of(args));
        return CdcCommand.run(Map.of("CDC_DEPLOY_CLASSPATH", System.getProperty("java.class.path")),
                all.toArray(String[]::new));
    }

    /** The workers running the connectors' tasks, or an empty set while any task is not RUNNING. */
    private Set<String> workersRunning(StackEndpoints stack, List<String> names) throws Exception {
        Set<String> workers = new TreeSet<>();
        for (String name : names) {
            JsonNode status = json.readTree(get(stack.requireConnectUrl() + "/connectors/" + name + "/status"));
            if (status.path("tasks").isEmpty()) {
                return Set.of();
            }
            for (JsonNode task : status.path("tasks")) {
                if (!"RUNNING".equals(task.path("state").asText())) {
                    return Set.of();
                }
                workers.add(task.path("worker_id").asText());
            }
        }
        return workers;
    }

    /** Every record value of a topic from its beginning, as the JSON text the source wrote. */
    /** Writes {@code count} records to a dead-letter topic with Connect's header naming their original topic. */
    private static void deadLetters(StackEndpoints stack, String topic, String original, int count) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", stack.requireKafkaBootstrap());
        try (var producer = new KafkaProducer<String, String>(props,
                new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                var record = new ProducerRecord<String, String>(topic, "k" + i, "v");
                record.headers().add("__connect.errors.topic", original.getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }
    }

    private static List<String> topicValues(StackEndpoints stack, String topic) {
        Map<String, Object> props = Map.of("bootstrap.servers", stack.requireKafkaBootstrap(),
                "group.id", "connect-deploy-it-" + System.nanoTime(), "auto.offset.reset", "earliest",
                "enable.auto.commit", "false");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(props,
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            int emptyPolls = 0;
            while (emptyPolls < 3) {
                var records = consumer.poll(Duration.ofSeconds(2));
                emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
                records.forEach(r -> values.add(r.value() == null ? "" : r.value()));
            }
        }
        return values;
    }

    private String taskState(StackEndpoints stack, String name) throws Exception {
        String status = get(stack.requireConnectUrl() + "/connectors/" + name + "/status");
        JsonNode tasks = json.readTree(status).path("tasks");
        return tasks.isEmpty() ? "" : tasks.get(0).path("state").asText();
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Set<String> postgres(PostgresTestDatabase pg, String sql) throws Exception {
        Set<String> rows = new TreeSet<>();
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private Set<String> clickHouse(ClickHouseTestDatabase ch, String sql) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(ch.url() + "/")).POST(
                HttpRequest.BodyPublishers.ofString(sql + " FORMAT TabSeparated")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return new TreeSet<>(body.lines().filter(l -> !l.isBlank()).toList());
    }

    /** id:field[:second] per document of an index, as the Postgres queries spell them. */
    private Set<String> elasticsearch(ElasticsearchTestIndex es, String table, String field, String second)
            throws Exception {
        String index = es.name() + "_" + table;
        http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + index + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        JsonNode hits = json.readTree(http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + index
                + "/_search?size=10000")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("hits").path("hits");
        Set<String> rows = new TreeSet<>();
        for (JsonNode hit : hits) {
            JsonNode doc = hit.path("_source");
            String value = doc.path(field).isNull() || doc.path(field).isMissingNode() ? "-" : doc.path(field).asText();
            rows.add(doc.path("id").asText() + ":" + value + (second == null ? ""
                    : ":" + new BigDecimal(doc.path(second).asText()).setScale(2)));
        }
        return rows;
    }

}
