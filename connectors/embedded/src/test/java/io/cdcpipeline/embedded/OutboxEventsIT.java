package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.ProjectRoot;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's transactional outbox ({@code OutboxEvents}) into both copies, on the real servers: every transaction
 * writes its state, inserts outbox rows of three aggregate types and deletes them again (the usual outbox
 * clean-up), while the runner is SIGKILLed twice. Every event must be in its aggregate's event table and index
 * exactly once, as a CloudEvent, and searchable in Elasticsearch; no outbox delete may remove one.
 */
@RealStack
class OutboxEventsIT {

    private static final String[] AGGREGATES = {"order", "customer", "shipment"};
    private static final int TRANSACTIONS = 240;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void outboxEventsArriveOnceAsCloudEventsThroughKillsAndReplays(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL)",
                "CREATE TABLE outbox_events (id uuid PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL, "
                        + "type text NOT NULL, payload jsonb, created_at timestamptz NOT NULL DEFAULT now())");
        h.extraConfig.put("source.table.include.list", "public.orders,public.outbox_events");
        h.extraConfig.put("offset.flush.interval.ms", "20");
        // The transforms of the shipped outbox pipeline, as users deploy them.
        Properties shipped = new Properties();
        try (var in = Files.newBufferedReader(ProjectRoot.path().resolve("connect-configs/outbox/outbox.properties"))) {
            shipped.load(in);
        }
        shipped.stringPropertyNames().stream().filter(key -> key.matches("sink\\.[^.]+\\.transforms.*"))
                .forEach(key -> h.extraConfig.put(key, shipped.getProperty(key)));
        assertThat(h.extraConfig).containsKeys("sink.clickhouse.transforms.outbox.type",
                "sink.elasticsearch.transforms.outbox.type");
        // A third sink: the changes of orders themselves as CloudEvents (ChangeCloudEvents), in orders_events.
        h.extraConfig.put("sinks", "clickhouse,elasticsearch,events");
        h.extraConfig.put("sink.events.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
        h.extraConfig.put("sink.events.clickhouse.url", ch.url());
        h.extraConfig.put("sink.events.clickhouse.database", ch.name());
        h.extraConfig.put("sink.events.transforms", "orders,events");
        h.extraConfig.put("sink.events.transforms.orders.type", "io.cdcpipeline.transforms.CdcFilter");
        h.extraConfig.put("sink.events.transforms.orders.condition", "schema = 'public' and table = 'orders'");
        h.extraConfig.put("sink.events.transforms.orders.non.changes", "drop");
        h.extraConfig.put("sink.events.transforms.events.type", "io.cdcpipeline.transforms.ChangeCloudEvents");
        h.extraConfig.put("sink.events.transforms.events.table.regex", "public\\.orders");
        h.extraConfig.put("sink.events.transforms.events.event.type", "com.example.shop.${table}.${operation}");
        Path config = h.writeConfig(work.resolve("pipeline.properties"));
        Path logs = Files.createDirectories(Path.of("target", "runner-logs", "outbox-" + pg.name()));

        AtomicInteger committed = new AtomicInteger();
        AtomicReference<Throwable> loadFailure = new AtomicReference<>();
        Thread service = new Thread(() -> {
            try {
                for (int i = 1; i <= TRANSACTIONS; i++) {
                    List<String> statements = new ArrayList<>();
                    statements.add("INSERT INTO orders VALUES (" + i + ", 'placed')");
                    for (String aggregate : AGGREGATES) {
                        statements.add("INSERT INTO outbox_events (id, aggregatetype, aggregateid, type, payload) "
                                + "VALUES (md5('" + aggregate + i + "')::uuid, '" + aggregate + "', '" + aggregate + "-"
                                + i + "', '" + Character.toUpperCase(aggregate.charAt(0)) + aggregate.substring(1)
                                + "Changed', jsonb_build_object('n', " + i + ", 'note', 'event " + i + "'))");
                    }
                    statements.add("DELETE FROM outbox_events WHERE aggregateid LIKE '%-" + i + "'");
                    h.transaction(statements.toArray(String[]::new));
                    committed.set(i);
                    Thread.sleep(60); // a service's pace: the load outlasts both kills
                }
            } catch (Throwable e) {
                loadFailure.set(e);
            }
        }, "outbox-service");

        Random random = new Random(21);
        int kills = 0;
        for (int round = 1; round <= 3; round++) {
            Path log = logs.resolve("runner-" + round + ".log");
            Process runner = RunnerProcess.start(config, log);
            try {
                RunnerProcess.awaitLog(runner, log, "Pipeline " + h.pipelineConfig().get("name") + " started", 90);
                if (round == 1) {
                    RunnerProcess.awaitLog(runner, log, "Snapshot completed at LSN", 120);
                    service.start();
                    // The first kill comes once every sink has written streamed changes, so the position stored is
                    // past the initial snapshot: a kill before that restarts the snapshot, which cannot bring back
                    // outbox rows deleted meanwhile (docs/events.md, "Limits").
                    Await.until(() -> count(h, ch.name() + ".orders_events_current") >= 10
                            && count(h, ch.name() + ".order_events_current") >= 10, 120, "the first events written");
                }
                if (round == 3) {
                    service.join(TimeUnit.MINUTES.toMillis(5));
                    assertThat(loadFailure.get()).as("the service's transactions").isNull();
                    assertThat(committed.get()).isEqualTo(TRANSACTIONS);
                    awaitEvents(h, ch, es);
                    break;
                }
                Thread.sleep(1_500 + random.nextInt(1_500));
                assertThat(runner.isAlive()).as("runner of round %d runs until its kill (log %s)", round, log).isTrue();
                assertThat(loadFailure.get()).as("the service's transactions").isNull();
                assertThat(service.isAlive()).as("the service is still writing when the runner is killed (%s of %s "
                        + "transactions)", committed.get(), TRANSACTIONS).isTrue();
            } finally {
                runner.destroyForcibly(); // SIGKILL on rounds 1 and 2: no shutdown hook, no final position save
                assertThat(runner.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            kills++;
        }

        // Exactly once in ClickHouse: the current view and the ids, per aggregate type.
        for (String aggregate : AGGREGATES) {
            String table = ch.name() + "." + aggregate + "_events";
            assertThat(h.clickHouse("SELECT count(), uniqExact(id) FROM " + table + "_current FORMAT TSV").trim())
                    .as("every %s event once", aggregate).isEqualTo(TRANSACTIONS + "\t" + TRANSACTIONS);
            assertThat(h.clickHouse("SELECT DISTINCT specversion, datacontenttype, type, source FROM " + table
                    + "_current FORMAT TSV").trim()).isEqualTo("1.0\tapplication/json\tcom.example.shop."
                    + Character.toUpperCase(aggregate.charAt(0)) + aggregate.substring(1) + "Changed\t/postgres/public/"
                    + "outbox_events");
            assertThat(h.clickHouse("SELECT id, data FROM " + table + "_current WHERE subject = '" + aggregate
                    + "-7' FORMAT TSV").trim()).isEqualTo(h.postgresRows("SELECT md5('" + aggregate + "7')::uuid::text")
                    .get(0).get(0) + "\t{\"n\": 7, \"note\": \"event 7\"}");
            assertThat(h.clickHouse("SELECT count() FROM " + table + "_current WHERE time < now() - 3600 FORMAT TSV")
                    .trim()).as("'time' is the outbox row's created_at, a timestamp").isEqualTo("0");
        }
        assertThat(h.clickHouse("SELECT count() FROM " + ch.name() + ".orders_current FORMAT TSV").trim())
                .as("the state beside the events").isEqualTo(String.valueOf(TRANSACTIONS));
        // The orders' own changes as CloudEvents: one per insert, each once through the kills (ids from the LSN).
        String orderEvents = ch.name() + ".orders_events_current";
        assertThat(h.clickHouse("SELECT count(), uniqExact(id), uniqExact(subject) FROM " + orderEvents + " FORMAT TSV")
                .trim()).isEqualTo(TRANSACTIONS + "\t" + TRANSACTIONS + "\t" + TRANSACTIONS);
        assertThat(h.clickHouse("SELECT DISTINCT type, source, visitParamExtractString(visitParamExtractRaw(data, "
                + "'after'), 'status') FROM " + orderEvents + " FORMAT TSV").trim())
                .isEqualTo("com.example.shop.orders.created\t/postgres/public/orders\tplaced");

        // In Elasticsearch: one document per event, id = event id, and searchable by its data.
        for (String aggregate : AGGREGATES) {
            String index = es.name() + "_" + aggregate + "_events";
            JsonNode count = get(es.url() + "/" + index + "/_count");
            assertThat(count.path("count").asLong()).as("documents in %s", index).isEqualTo(TRANSACTIONS);
            JsonNode hit = post(es.url() + "/" + index + "/_search", "{\"query\":{\"term\":{\"data.n\":42}}}");
            assertThat(hit.path("hits").path("total").path("value").asLong()).isEqualTo(1);
            JsonNode source = hit.path("hits").path("hits").get(0).path("_source");
            assertThat(source.path("subject").asText()).isEqualTo(aggregate + "-42");
            assertThat(source.path("specversion").asText()).isEqualTo("1.0");
            assertThat(hit.path("hits").path("hits").get(0).path("_id").asText()).isEqualTo(source.path("id").asText());
        }
        TreeSet<String> outboxLeft = new TreeSet<>();
        h.postgresRows("SELECT count(*) FROM outbox_events").forEach(r -> outboxLeft.add(r.get(0)));
        assertThat(outboxLeft).as("the service cleaned its outbox").containsExactly("0");
        h.assertNoDeadLetters();
        assertThat(kills).isEqualTo(2);

        long events = (long) TRANSACTIONS * AGGREGATES.length;
        ReliabilityCase.fault("Transactional outbox (insert and delete in one transaction, 3 aggregate types) with the "
                        + "runner SIGKILLed twice under the load")
                .expected("every event once in its ClickHouse event table and Elasticsearch index, as a CloudEvent")
                .observed(events + " events, each once in both copies, and " + TRANSACTIONS + " CloudEvents of the "
                        + "orders' own changes once in ClickHouse; 2 kills; 0 dead letters")
                .rowsCompared(events * 2).record();
    }

    private static long count(PipelineHarness h, String table) throws Exception {
        String body = h.clickHouse("SELECT count() FROM " + table + " FORMAT TSV").trim();
        return body.isEmpty() ? 0 : Long.parseLong(body);
    }

    private void awaitEvents(PipelineHarness h, ClickHouseTestDatabase ch, ElasticsearchTestIndex es) throws Exception {
        Await.until(() -> {
            if (!h.clickHouse("SELECT uniqExact(id) FROM " + ch.name() + ".orders_events_current FORMAT TSV").trim()
                    .equals(String.valueOf(TRANSACTIONS))) {
                return false;
            }
            for (String aggregate : AGGREGATES) {
                String body = h.clickHouse("SELECT uniqExact(id) FROM " + ch.name() + "." + aggregate
                        + "_events_current FORMAT TSV").trim();
                if (!body.equals(String.valueOf(TRANSACTIONS))) {
                    return false;
                }
                http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + es.name() + "_" + aggregate
                        + "_events/_refresh")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (get(es.url() + "/" + es.name() + "_" + aggregate + "_events/_count").path("count").asLong()
                        != TRANSACTIONS) {
                    return false;
                }
            }
            return true;
        }, 180, "every event in both copies");
    }

    private JsonNode get(String url) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private JsonNode post(String url, String body) throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
