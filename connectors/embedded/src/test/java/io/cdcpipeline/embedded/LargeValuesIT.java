package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values and tables at the size limits users hit: a 16 MB jsonb and a 100 MB text value (each row arrives in
 * ClickHouse byte for byte; Elasticsearch takes the jsonb and refuses a document above its http.max_content_length,
 * dead-lettering that one row with the reason), and tables of 1,500 columns.
 */
@RealStack
class LargeValuesIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void a16MbJsonbAndA100MbTextArrive(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql("CREATE TABLE blobs (id integer PRIMARY KEY, body jsonb, note text)");
        h.extraConfig.put("source.table.include.list", "public.blobs");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.sql("INSERT INTO blobs SELECT 1, jsonb_object_agg('k' || g, repeat('x', 1000)), 'small' "
                    + "FROM generate_series(1, 16000) g");
            h.sql("INSERT INTO blobs VALUES (2, '{\"small\": true}', repeat('y', 100 * 1024 * 1024))");
            h.sql("INSERT INTO blobs VALUES (3, '{\"after\": true}', 'after the big ones')");
            List<List<String>> expected = h.postgresRows("SELECT id::text, md5(body::text), md5(note), "
                    + "octet_length(body::text)::text, octet_length(note)::text FROM blobs ORDER BY id");
            Await.until(() -> clickHouseDigests(h, ch).equals(expected), 180,
                    "every row, byte for byte, in ClickHouse");
            Await.until(() -> h.deadLetters("elasticsearch").size() == 1 && document(es, "1") != null
                    && document(es, "3") != null, 180, "the jsonb row and the row after in Elasticsearch");
            JsonNode big = document(es, "1");
            assertThat(big.path("_source").path("body").size()).as("keys of the 16 MB jsonb").isEqualTo(16_000);
            assertThat(document(es, "2")).as("the 100 MB row is not in Elasticsearch").isNull();
            String refused = h.deadLetters("elasticsearch").get(0);
            assertThat(refused).contains("413").contains("http.max_content_length");
            assertThat(h.deadLetters("clickhouse")).isEmpty();
            assertThat(pipeline.failure()).isNull();
            ReliabilityCase.fault("A 16 MB jsonb (16,000 keys) and a 100 MB text value in one table")
                    .expected("ClickHouse holds both byte for byte; Elasticsearch indexes the jsonb and dead-letters "
                            + "the document above http.max_content_length, with the reason, and goes on")
                    .observed("md5 and length of every value equal in ClickHouse; the jsonb searchable in "
                            + "Elasticsearch with its 16,000 keys; the 100 MB row dead-lettered naming 413 and "
                            + "http.max_content_length; the row after it indexed").rowsCompared(3 + 2).record();
        }
    }

    /**
     * {@code bin/cdc run}'s heap (512 MB) holds 16 MB rows: four of them in one transaction, then each updated, so
     * that Debezium's queue, both sinks' buffers and the Elasticsearch request hold several at once. Every version
     * arrives and the runner neither runs out of memory nor stops.
     */
    @Test
    void sixteenMegabyteRowsPassThroughARunnerAtItsDefaultHeap(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql("CREATE TABLE blobs (id integer PRIMARY KEY, body jsonb, note text)");
        h.extraConfig.put("source.table.include.list", "public.blobs");
        Path log = work.resolve("runner.log");
        Process runner = RunnerProcess.start(h.writeConfig(work.resolve("pipeline.properties")), log);
        try {
            RunnerProcess.awaitLog(runner, log, "Snapshot completed at LSN", 180); // the rows below stream
            h.sql("INSERT INTO blobs SELECT r, jsonb_object_agg('k' || g, repeat(r::text, 1000)), 'v1' "
                    + "FROM generate_series(1, 4) r, generate_series(1, 16000) g GROUP BY r");
            h.sql("UPDATE blobs SET body = body || '{\"updated\": true}', note = 'v2'");
            List<List<String>> expected = h.postgresRows("SELECT id::text, md5(body::text), md5(note), "
                    + "octet_length(body::text)::text, octet_length(note)::text FROM blobs ORDER BY id");
            assertThat(expected).hasSize(4).allMatch(row -> Integer.parseInt(row.get(3)) > 16_000_000);
            try {
                Await.until(() -> clickHouseDigests(h, ch).equals(expected), 240,
                        "the second version of every 16 MB row, byte for byte, in ClickHouse");
                Await.until(() -> IntStream.rangeClosed(1, 4).allMatch(id -> updated(es, id)), 240,
                        "the second version of every 16 MB row in Elasticsearch");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the runner's log ends with:\n" + RunnerProcess.tail(log), e);
            }
            assertThat(runner.isAlive()).as("the runner still runs").isTrue();
            assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
            assertThat(h.deadLetters("clickhouse")).isEmpty();
            assertThat(h.deadLetters("elasticsearch")).isEmpty();
            ReliabilityCase.fault("Four 16 MB jsonb rows in one transaction, then each updated, through a runner at "
                            + "-Xmx512m (bin/cdc run's heap)")
                    .expected("every version arrives in both sinks; no OutOfMemoryError, the runner keeps running")
                    .observed("md5 and length of the four second versions equal in ClickHouse, each updated in "
                            + "Elasticsearch; the runner alive, no OutOfMemoryError in its log").rowsCompared(4 + 4)
                    .record();
        } finally {
            runner.destroy();
            runner.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private boolean updated(ElasticsearchTestIndex es, int id) {
        try {
            JsonNode doc = document(es, Integer.toString(id));
            return doc != null && "v2".equals(doc.path("_source").path("note").asText());
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * 1,500 columns, above Elasticsearch's field limit: refused there, naming the setting. ClickHouse 18.16 writes every
     * part with two 1 MB buffers per column stream, so it takes 1,500 NOT NULL columns within the stack's 4 GB
     * max_memory_usage, and the sink refuses 1,500 Nullable ones (two streams each) up front, naming the remedies,
     * rather than retrying a memory error no retry can cure. Either way the other table goes on.
     */
    @Test
    void tablesOf1500ColumnsArriveWhereTheyFitAndAreRefusedWithTheRemedyWhereNot(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work)
            throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        String values = IntStream.rangeClosed(1, 1499).mapToObj(i -> "g + " + i).collect(Collectors.joining(", "));
        h.sql("CREATE TABLE wide (id integer PRIMARY KEY, " + IntStream.rangeClosed(1, 1499).mapToObj(i -> "c" + i
                        + " integer NOT NULL").collect(Collectors.joining(", ")) + ")",
                "INSERT INTO wide SELECT g, " + values + " FROM generate_series(1, 3) g",
                "CREATE TABLE wide_nullable (id integer PRIMARY KEY, " + IntStream.rangeClosed(1, 1499)
                        .mapToObj(i -> "c" + i + " integer").collect(Collectors.joining(", ")) + ")",
                "INSERT INTO wide_nullable SELECT g, " + values + " FROM generate_series(1, 3) g");
        h.extraConfig.put("source.table.include.list", "public.wide,public.wide_nullable");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.sql("UPDATE wide SET c1499 = -1 WHERE id = 2");
            Await.until(() -> "3\t-1\t1502".equals(h.clickHouse("SELECT count(), min(c1499), max(c1499) FROM "
                    + ch.name() + ".wide_current FORMAT TabSeparated").trim()), 180,
                    "the 1,500-column table in ClickHouse with its update");
            assertThat(h.clickHouse("SELECT count() FROM system.columns WHERE database = '" + ch.name()
                    + "' AND table = 'wide' AND name LIKE 'c%'").trim()).isEqualTo("1499");
            // Six rows: the update may be read by the snapshot or streamed after it, so ClickHouse's view is checked
            // for its value, and the dead letters are counted by row.
            Await.until(() -> h.deadLetters("clickhouse").size() == 3 && h.deadLetters("elasticsearch").stream()
                    .map(l -> l.replaceAll(".*\"(?:after|before)\":\\{\"id\":(\\d+).*", "$1")
                            + l.contains("wide_nullable")).distinct().count() == 6,
                    120, "wide_nullable's 3 rows dead-lettered by ClickHouse, both tables' 6 rows by Elasticsearch");
            // Counted, not listed: each line holds a whole 1,500-column record.
            assertThat(h.deadLetters("clickhouse").stream().filter(l -> l.contains("public.wide_nullable")
                    && l.contains("3003 column streams") && l.contains("max_memory_usage")
                    && l.contains("Upgrade ClickHouse")).count()).as("ClickHouse's reasons").isEqualTo(3);
            assertThat(h.deadLetters("elasticsearch").stream().filter(l -> l.contains("Limit of total fields")
                    && l.contains("index.mapping.total.fields.limit")).count()).as("Elasticsearch's reasons")
                    .isEqualTo(h.deadLetters("elasticsearch").size());
            assertThat(pipeline.failure()).isNull();
            ReliabilityCase.fault("Tables of 1,500 columns (above Elasticsearch's field limit; NOT NULL and "
                            + "Nullable on ClickHouse 18.16)")
                    .expected("ClickHouse takes what its memory limit allows and refuses up front what no insert "
                            + "could fit, naming the remedies; Elasticsearch refuses both naming "
                            + "index.mapping.total.fields.limit; the changes refused are dead-lettered (replayable)")
                    .observed("1,500 NOT NULL columns: 3 rows and the update in ClickHouse; 1,500 Nullable columns: "
                            + "'3003 column streams ... above this server's max_memory_usage ... Upgrade ClickHouse'; "
                            + "Elasticsearch: 'Limit of total fields [1000] ... raise the sink's "
                            + "index.mapping.total.fields.limit'").rowsCompared(3).record();
        }
    }

    private List<List<String>> clickHouseDigests(PipelineHarness h, ClickHouseTestDatabase ch) throws Exception {
        return h.clickHouse("SELECT toString(id), lower(hex(MD5(body))), lower(hex(MD5(note))), toString(length(body)), "
                + "toString(length(note)) FROM " + ch.name() + ".blobs_current ORDER BY id FORMAT TabSeparated")
                .lines().filter(l -> !l.isEmpty()).map(l -> List.of(l.split("\t", -1))).toList();
    }

    private JsonNode document(ElasticsearchTestIndex es, String id) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(es.url() + "/" + es.name()
                + "_blobs/_doc/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? json.readTree(response.body()) : null;
    }
}
