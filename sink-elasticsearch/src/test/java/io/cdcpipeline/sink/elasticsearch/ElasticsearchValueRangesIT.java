package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.consistency.SinkCopy;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.elasticsearch.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values an Elasticsearch field cannot hold (a pre-1970 timestamp in {@code date_nanos}, infinity, a non-finite
 * float) keep their row by default: the nearest value the field holds is stored and counted per index and column.
 */
@RealStack
class ElasticsearchValueRangesIT {

    private static final String ROWS = "(1, '1969-12-31 23:59:59.5', 'Infinity', 'NaN', '{1.5,-Infinity}', 'a'), "
            + "(2, 'infinity', 1.25, 2.5, '{}', 'b'), "
            + "(3, '2024-02-29 13:45:10.123456', 3, 4, '{7}', 'c')";

    private static List<SinkRecord> capture(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE edges (id integer PRIMARY KEY, at timestamp, r real, d double precision, "
                    + "ds double precision[], note text)");
            st.execute("INSERT INTO edges VALUES " + ROWS);
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.edges"), Map.of())) {
            return stream.take(3, Duration.ofSeconds(60));
        }
    }

    @Test
    void byDefaultEveryRowLandsWithTheNearestValueItsFieldsHold(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of());
            assertThat(h.deadLetters).isEmpty();
            Map<String, String> docs = h.documents("edges");
            assertThat(docs).containsOnlyKeys("1", "2", "3");
            // 'date' holds 1969 with every digit; Infinity and NaN become null, element by element in arrays.
            assertThat(docs.get("1")).contains("at=1969-12-31T23:59:59.5").contains("r=null").contains("d=null")
                    .contains("ds=[1.5, null]");
            assertThat(docs.get("2")).contains("at=9999-12-31T23:59:59.999999999");
            assertThat(docs.get("3")).contains("at=2024-02-29T13:45:10.123456").contains("r=3.0");
            String alias = h.alias("edges");
            assertThat(clamped(h, alias, "r")).isEqualTo(1);
            assertThat(clamped(h, alias, "d")).isEqualTo(1);
            assertThat(clamped(h, alias, "ds")).isEqualTo(1);
            assertThat(clamped(h, alias, "at")).as("infinity").isEqualTo(1);
            assertThat(clamped(h, alias, "note")).isZero();
            assertThat(check(pg, es, work)).as("a documented clamp is not drift").isEqualTo(CopyCheck.Status.EQUAL);
        }
    }

    @Test
    void dateNanosFieldsHoldNothingBefore1970AndIndicesKeepTheirTimestampType(StackEndpoints stack,
            PostgresTestDatabase pg, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of(ElasticsearchSinkConfig.TIMESTAMP_FIELD_TYPE, "date_nanos"));
            // The same index written again under the default ('date'): the field keeps date_nanos, nothing refused.
            h.write(records, Map.of());
            assertThat(h.deadLetters).isEmpty();
            String alias = h.alias("edges");
            var mapping = h.client().indices().getMapping(m -> m.index(alias)).result().get(alias + "_v1").mappings();
            assertThat(mapping.properties().get("at")._kind().jsonValue()).isEqualTo("date_nanos");
            Map<String, String> docs = h.documents("edges");
            assertThat(docs.get("1")).contains("at=1970-01-01T00:00:00,");
            assertThat(docs.get("2")).contains("at=2262-04-11T23:47:16.854775807,");
            assertThat(docs.get("3")).contains("at=2024-02-29T13:45:10.123456");
            assertThat(clamped(h, alias, "at")).as("twice the pre-1970 and the infinity row").isEqualTo(4);
            assertThat(check(pg, es, work)).as("a documented clamp is not drift").isEqualTo(CopyCheck.Status.EQUAL);
            // An undocumented difference still is: a timestamp changed by hand in the copy.
            Request edit = new Request("POST", "/" + alias + "/_update/3?refresh=true");
            edit.setJsonEntity("{\"doc\": {\"at\": \"1970-01-01T00:00:00\"}}");
            h.restClient().performRequest(edit);
            assertThat(check(pg, es, work)).isEqualTo(CopyCheck.Status.DRIFT);
        }
    }

    @Test
    void strictDeadLettersTheRowNamingColumnAndRange(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of(OutOfRangeValues.CONFIG, "strict"));
            assertThat(h.deadLetters).hasSize(2);
            assertThat(h.deadLetters.get(0).reason().getMessage()).contains("public.edges")
                    .contains("column r: infinity is outside what Elasticsearch double (finite numbers) holds")
                    .contains("value.out.of.range=clamp");
            assertThat(h.deadLetters.get(1).reason().getMessage())
                    .contains("column at: infinity is outside what Elasticsearch date (-9999-01-01T00:00:00Z to ");
            assertThat(h.documents("edges")).containsOnlyKeys("3");
            assertThat(clamped(h, h.alias("edges"), "r")).isZero();
        }
    }

    @Test
    void columnsPostgresWidensKeepFlowingIntoTheSameIndex(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE widened (id smallint PRIMARY KEY, n integer, r real)");
            st.execute("INSERT INTO widened VALUES (1, 7, 1.5)");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.widened"), Map.of())) {
            records = new ArrayList<>(stream.take(1, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE widened ALTER COLUMN id TYPE integer, ALTER COLUMN n TYPE bigint, "
                        + "ALTER COLUMN r TYPE double precision");
                st.execute("INSERT INTO widened VALUES (40000, 5000000000, 0.30000000000000004)");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
        }
        try (EsHarness h = new EsHarness(es)) {
            h.write(records.subList(0, 1), Map.of());
            h.write(records.subList(1, 2), Map.of());
            assertThat(h.deadLetters).as("no mapping change needed").isEmpty();
            assertThat(h.documents("widened").get("40000")).contains("n=5000000000").contains("r=0.30000000000000004");
        }
    }

    /** The checksum comparison `bin/cdc validate` runs, of the copy against Postgres. */
    private static CopyCheck.Status check(PostgresTestDatabase pg, ElasticsearchTestIndex es, Path work) throws Exception {
        try (Connection source = pg.connect(); SinkCopy copy = ElasticsearchCopy.open(Map.of(ElasticsearchSinkConfig.URLS,
                es.url(), ElasticsearchSinkConfig.INDEX_NAME_FORMAT, es.name() + "_${table}"))) {
            CopyCheck.Result result = CopyCheck.run("elasticsearch", new TableId("public", "edges"),
                    new SourceKeys(source), copy, new CopyCheck.Options(100, Duration.ofMillis(10), 1, work));
            assertThat(result.comparedBy()).startsWith("checksums");
            return result.status();
        }
    }

    private static double clamped(EsHarness h, String alias, String column) {
        return h.metric("index-values-clamped-total", Map.of("index", alias, "column", column));
    }
}
