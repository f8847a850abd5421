package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.consistency.SinkCopy;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.consistency.TargetRows;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Elasticsearch side of the check against Postgres on the real node: every type the sink maps hashes to the same
 * checksum as Postgres computes in SQL (ISO times, exact decimals, float bits, char padding), so an equal index
 * compares equal; a changed, a deleted and a ghost document are each named; a json column, which the index re-renders,
 * makes the table compared row by row, and says so.
 */
@RealStack
class ElasticsearchCopyCheckIT {

    @Test
    void documentsHashLikePostgresAndDriftIsNamed(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE typed (id integer PRIMARY KEY, t text, c char(4), b boolean, n numeric(10,3), "
                    + "r real, d double precision, u uuid, dt date, ts timestamp(6), ts3 timestamp(3), tz timestamptz, "
                    + "tm time)");
            st.execute("INSERT INTO typed VALUES (1, 'tab\there é', 'ab', true, 12.500, 1.1, 0.30000000000000004, "
                    + "'6F1C2A4E-0000-4000-8000-000000000001', '2024-02-29', '2026-01-01 10:00:00.123456', "
                    + "'2026-01-01 10:00:00.5', '2026-01-01 10:00:00.5+02', '10:00'), "
                    + "(2, NULL, NULL, false, 0, -0.0, 1e300, NULL, NULL, '2026-01-01 10:00:00', NULL, NULL, NULL), "
                    + "(3, '', 'x', NULL, -3.100, 3.4e38, -2.5e-300, NULL, '1999-12-31', NULL, NULL, "
                    + "'1999-12-31 23:59:59.999999+00', NULL)");
            st.execute("CREATE TABLE docs (id integer PRIMARY KEY, j jsonb)");
            st.execute("INSERT INTO docs VALUES (1, '{\"b\": 1.50, \"a\": [1, 2]}'), (2, NULL)");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.typed", "public.docs"),
                Map.of())) {
            records = stream.take(5, Duration.ofSeconds(60));
        }
        try (EsHarness h = new EsHarness(es); Connection source = pg.connect();
                SinkCopy copy = ElasticsearchCopy.open(Map.of(ElasticsearchSinkConfig.URLS, es.url(),
                        ElasticsearchSinkConfig.INDEX_NAME_FORMAT, es.name() + "_${table}"))) {
            h.write(records, Map.of());
            assertThat(h.deadLetters).isEmpty();
            CopyCheck.Options options = new CopyCheck.Options(100, Duration.ofMillis(10), 1, work);
            TableId typed = new TableId("public", "typed");

            CopyCheck.Result equal = CopyCheck.run("elasticsearch", typed, new SourceKeys(source), copy, options);
            assertThat(equal.status()).as("%s", equal).isEqualTo(CopyCheck.Status.EQUAL);
            assertThat(equal.comparedBy()).isEqualTo("checksums");
            assertThat(equal.rowsCompared()).isEqualTo(3);
            assertThat(equal.notCompared()).containsExactly("tm (time)");

            String alias = h.alias("typed");
            es(h, "POST", "/" + alias + "/_update/1?refresh=true", "{\"doc\": {\"d\": 0.3}}");
            es(h, "DELETE", "/" + alias + "/_doc/2?refresh=true", null);
            es(h, "PUT", "/" + alias + "/_doc/99?refresh=true&version=5&version_type=external", "{\"id\": 99}");
            CopyCheck.Result drift = CopyCheck.run("elasticsearch", typed, new SourceKeys(source), copy, options);
            assertThat(drift.status()).isEqualTo(CopyCheck.Status.DRIFT);
            assertThat(drift.differing()).as("%s", drift).containsExactly(new CopyCheck.Difference(List.of("1"),
                    List.of(new CopyCheck.ColumnDifference("d", "0.30000000000000004", "0.3"))));
            assertThat(drift.missing()).containsExactly(List.of("2"));
            assertThat(drift.extra()).extracting(TargetRows.Row::key).containsExactly(List.of("99"));
            assertThat(drift.comparedBy()).startsWith("checksums; ");

            CopyCheck.Result json = CopyCheck.run("elasticsearch", new TableId("public", "docs"),
                    new SourceKeys(source), copy, options);
            assertThat(json.status()).as("%s", json).isEqualTo(CopyCheck.Status.EQUAL);
            assertThat(json.comparedBy()).isEqualTo("rows (column j, jsonb, has no checksum form in this copy)");
        }
    }

    /** More documents than a page of each slice holds: every page of both slices is read, none twice. */
    @Test
    void aScanOfManyPagesInTwoSlicesComparesEveryDocumentOnce(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE many (id integer PRIMARY KEY, v text NOT NULL)");
            st.execute("INSERT INTO many SELECT g, 'v' || g FROM generate_series(1, 12000) g");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.many"), Map.of())) {
            records = stream.take(12_000, Duration.ofSeconds(120));
        }
        try (EsHarness h = new EsHarness(es); Connection source = pg.connect();
                SinkCopy copy = ElasticsearchCopy.open(Map.of(ElasticsearchSinkConfig.URLS, es.url(),
                        ElasticsearchSinkConfig.INDEX_NAME_FORMAT, es.name() + "_${table}"))) {
            h.write(records, Map.of());
            CopyCheck.Options options = new CopyCheck.Options(100, Duration.ofMillis(10), 1, work);
            TableId many = new TableId("public", "many");
            CopyCheck.Result equal = CopyCheck.run("elasticsearch", many, new SourceKeys(source), copy, options);
            assertThat(equal.status()).as("%s", equal).isEqualTo(CopyCheck.Status.EQUAL);
            assertThat(equal.rowsCompared()).isEqualTo(12_000);

            String alias = h.alias("many");
            es(h, "POST", "/" + alias + "/_update/7777?refresh=true", "{\"doc\": {\"v\": \"changed\"}}");
            es(h, "DELETE", "/" + alias + "/_doc/11999?refresh=true", null);
            CopyCheck.Result drift = CopyCheck.run("elasticsearch", many, new SourceKeys(source), copy, options);
            assertThat(drift.differing()).extracting(CopyCheck.Difference::key).containsExactly(List.of("7777"));
            assertThat(drift.missing()).containsExactly(List.of("11999"));
            assertThat(drift.extraTotal()).isZero();
        }
    }

    private static void es(EsHarness h, String method, String path, String body) throws Exception {
        Request request = new Request(method, path);
        if (body != null) {
            request.setJsonEntity(body);
        }
        h.restClient().performRequest(request);
    }
}
