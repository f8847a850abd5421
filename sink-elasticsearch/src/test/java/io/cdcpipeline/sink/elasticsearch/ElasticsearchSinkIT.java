package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.indices.GetAliasResponse;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The Elasticsearch sink on the real node, from real Debezium records: versions make replays and stale
 * redeliveries harmless, every table is an alias over a versioned index mapped from the record schema, a document
 * that breaks the mapping is dead-lettered alone, and unchanged TOAST fields are kept.
 */
@RealStack
class ElasticsearchSinkIT {

    @Test
    void replayingTheStreamTwiceLeavesTheIndexIdentical(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = captureItems(stack, pg);
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of());
            Map<String, String> first = h.documents("items");
            assertThat(first).hasSize(countRows(pg));
            h.write(records, Map.of());
            assertThat(h.documents("items")).as("after a full replay").isEqualTo(first);
            assertThat(h.metric("stale-skipped-total")).as("every replayed write was refused as stale")
                    .isGreaterThanOrEqualTo(records.size() - 100);
            assertThat(h.deadLetters).isEmpty();
            assertThat(h.metric("index-source-watermark-ms")).isPositive();
            ReliabilityCase.fault("Whole stream delivered twice to Elasticsearch").mode("both")
                    .expected("external versions refuse every older write: the index is identical after the replay")
                    .observed("index identical; " + (long) h.metric("stale-skipped-total") + " writes refused as stale; "
                            + "0 dead letters").rowsCompared(first.size()).record();
        }
    }

    @Test
    void aDeleteThenAStaleRedeliveryDoesNotResurrectTheDocument(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = captureItems(stack, pg);
        SinkRecord insertOf7 = records.stream().filter(r -> r.key().toString().equals("Struct{id=7}")).findFirst()
                .orElseThrow();
        SinkRecord deleteOf10 = records.stream().filter(r -> r.key().toString().equals("Struct{id=10}")
                && r.value() != null && ChangeEvent.of(r).isDelete()).findFirst().orElseThrow();
        SinkRecord insertOf10 = records.stream().filter(r -> r.key().toString().equals("Struct{id=10}")).findFirst()
                .orElseThrow();
        try (EsHarness h = new EsHarness(es)) {
            // A delete that arrives before its document was ever written (404 not_found) is no error, and its
            // versioned tombstone still keeps the older insert out when that comes late.
            h.write(records.subList(0, 1), Map.of());
            h.write(List.of(deleteOf10), Map.of());
            h.write(List.of(insertOf10), Map.of());
            assertThat(h.documents("items")).doesNotContainKey("10");
            assertThat(h.deadLetters).isEmpty();

            h.write(records, Map.of());
            assertThat(h.documents("items")).doesNotContainKey("7"); // deleted in Postgres
            h.write(List.of(insertOf7), Map.of());
            assertThat(h.documents("items")).as("the old insert of a deleted row, delivered again").doesNotContainKey("7");
            assertThat(h.deadLetters).isEmpty();
            ReliabilityCase.fault("Delete delivered before its insert; an old insert redelivered after a delete")
                    .mode("both")
                    .expected("a deleted row never comes back: the versioned tombstone keeps older writes out")
                    .observed("neither document resurrected; 0 dead letters").record();
        }
    }

    @Test
    void everyTableIsAnAliasOverAVersionedIndexMappedFromTheSchema(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE things (id integer PRIMARY KEY, price numeric(10,2), at timestamptz, day date, "
                    + "name text, tags text[], meta jsonb, flag boolean, uid uuid, big bigint)");
            st.execute("INSERT INTO things VALUES (1, 12.34, '2026-01-02 03:04:05.123456+00', '2026-01-02', 'Ada', "
                    + "'{a,b}', '{\"k\": {\"n\": 1}}', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 9007199254740993)");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.things"), Map.of())) {
            records = stream.take(1, Duration.ofSeconds(60));
        }
        try (EsHarness h = new EsHarness(es)) {
            // A per-table mapping override with an analyzer the index settings define.
            h.write(records, Map.of(
                    "index.override.public.things.mapping", "{\"name\": {\"type\": \"text\", \"analyzer\": \"lower\"}}",
                    ElasticsearchSinkConfig.INDEX_SETTINGS, "{\"analysis\": {\"analyzer\": {\"lower\": "
                            + "{\"tokenizer\": \"standard\", \"filter\": [\"lowercase\"]}}}}"));
            assertThat(h.deadLetters).isEmpty();
            String alias = h.alias("things");
            GetAliasResponse aliases = h.client().indices().getAlias(a -> a.name(alias));
            assertThat(aliases.result().keySet()).containsExactly(alias + "_v1");
            var mapping = h.client().indices().getMapping(m -> m.index(alias)).result().get(alias + "_v1").mappings();
            assertThat(mapping.dynamic().jsonValue()).isEqualTo("strict");
            var props = mapping.properties();
            assertThat(props.get("id")._kind().jsonValue()).as("integers as long: widenings fit").isEqualTo("long");
            assertThat(props.get("big")._kind().jsonValue()).isEqualTo("long");
            assertThat(props.get("price")._kind().jsonValue()).isEqualTo("double");
            assertThat(props.get("price").double_().fields()).containsKey("exact");
            assertThat(props.get("at")._kind().jsonValue()).isEqualTo("date");
            assertThat(props.get("day")._kind().jsonValue()).isEqualTo("date");
            assertThat(props.get("name")._kind().jsonValue()).isEqualTo("text");
            assertThat(props.get("name").text().analyzer()).as("from the override").isEqualTo("lower");
            assertThat(props.get("name").text().fields()).as("the override replaced the derived mapping").isEmpty();
            assertThat(props.get("tags")._kind().jsonValue()).isEqualTo("text");
            assertThat(props.get("meta")._kind().jsonValue()).as("json").isEqualTo("flattened");
            assertThat(props.get("flag")._kind().jsonValue()).isEqualTo("boolean");
            assertThat(props.get("uid")._kind().jsonValue()).isEqualTo("keyword");
            assertThat(h.documents("things").get("1"))
                    .contains("price=12.34").contains("at=2026-01-02T03:04:05.123456Z").contains("meta={k={n=1}}")
                    .contains("big=9007199254740993").contains("tags=[a, b]");
            var settings = h.client().indices().getSettings(s -> s.index(alias)).result().get(alias + "_v1").settings();
            assertThat(settings.index().gcDeletes().time()).isEqualTo("1h");
        }
    }

    @Test
    void jsonOfEveryShapeLandsAndADocumentTheIndexRefusesIsDeadLetteredWhileTheRestLand(StackEndpoints stack,
            PostgresTestDatabase pg, ElasticsearchTestIndex es) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE events (id integer PRIMARY KEY, payload jsonb)");
            // Shapes that clash under dynamic object mapping: n a number, then an object; a key with a dot beside
            // the same key plain; 200 keys in one document.
            st.execute("INSERT INTO events SELECT i, jsonb_build_object('kind', 'small', 'n', i) FROM generate_series(1, 48) i");
            st.execute("INSERT INTO events VALUES (49, '{\"n\": {\"deep\": true}, \"kind\": \"odd\"}'), "
                    + "(50, '{\"kind\": \"x\", \"kind.sub\": 1}')");
            st.execute("INSERT INTO events SELECT 51, jsonb_object_agg('key_' || g, g) FROM generate_series(1, 200) g");
            // Nested deeper than a flattened field takes (20 levels): the index refuses this one document.
            st.execute("INSERT INTO events VALUES (52, '" + "{\"a\": ".repeat(25) + "1" + "}".repeat(25) + "')");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.events"), Map.of())) {
            records = stream.take(52, Duration.ofSeconds(60));
        }
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of(ElasticsearchSinkConfig.TOTAL_FIELDS_LIMIT, "50"));
            assertThat(h.deadLetters).hasSize(1);
            assertThat(h.deadLetters.get(0).record().key().toString()).isEqualTo("Struct{id=52}");
            assertThat(h.deadLetters.get(0).reason().getMessage()).contains("failed to parse field [payload] of type [flattened]");
            Map<String, String> documents = h.documents("events");
            assertThat(documents).hasSize(51);
            assertThat(documents.get("49")).contains("n={deep=true}");
            assertThat(documents.get("51")).contains("key_200=200");
            long matches = h.client().search(s -> s.index(h.alias("events"))
                    .query(q -> q.term(t -> t.field("payload.kind").value("odd"))), Map.class).hits().total().value();
            assertThat(matches).as("json leaves are searchable as column.key").isEqualTo(1);
            ReliabilityCase.badInput("jsonb of clashing shapes, 200 keys, and one nested 25 levels deep").mode("both")
                    .expected("every shape lands (flattened field); the one document the index refuses is "
                            + "dead-lettered with the reason while the rest land")
                    .observed("51 of 52 documents indexed; id 52 dead-lettered: 'failed to parse field [payload] of "
                            + "type [flattened]'").rowsCompared(52).record();
        }
    }

    @Test
    void unchangedToastFieldsKeepTheStoredValue(StackEndpoints stack, PostgresTestDatabase pg, ElasticsearchTestIndex es)
            throws Exception {
        List<SinkRecord> inserts;
        List<SinkRecord> updates;
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE docs (id integer PRIMARY KEY, title text, body text)");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.docs"), Map.of())) {
            stream.drain(Duration.ofSeconds(2));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO docs SELECT i, 'v1', (SELECT string_agg(md5(random()::text || i || g), '') "
                        + "FROM generate_series(1, 300) g) FROM generate_series(1, 2) i");
            }
            inserts = stream.take(2, Duration.ofSeconds(60));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE docs SET title = 'v2'");
            }
            updates = stream.take(2, Duration.ofSeconds(60));
        }
        assertThat(updates.get(0).value().toString()).contains("__debezium_unavailable_value");
        try (EsHarness h = new EsHarness(es)) {
            // Row 1: insert and update in one batch; row 2: the update in a later batch (stored value read back).
            h.write(List.of(inserts.get(0), updates.get(0), inserts.get(1)), Map.of());
            h.write(List.of(updates.get(1)), Map.of());
            assertThat(h.deadLetters).isEmpty();
            Map<String, String> docs = h.documents("docs");
            try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, body FROM docs ORDER BY id")) {
                while (rs.next()) {
                    assertThat(docs.get(rs.getString(1))).contains("title=v2").contains("body=" + rs.getString(2));
                }
            }
            assertThat(docs.values()).noneMatch(d -> d.contains("__debezium_unavailable_value"));
        }
    }

    /** 1000 inserts, 500 updates and 100 deletes (ids 1-100 with id % 3 = 1), as Debezium streams them. */
    static List<SinkRecord> captureItems(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE items (id integer PRIMARY KEY, qty integer NOT NULL, note text)");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.items"), Map.of())) {
            stream.drain(Duration.ofSeconds(2));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO items SELECT i, i, 'note ' || i FROM generate_series(1, 1000) i");
                st.execute("UPDATE items SET qty = id * 3 WHERE id <= 500");
                st.execute("DELETE FROM items WHERE id <= 100 AND id % 3 = 1");
            }
            List<SinkRecord> records = new ArrayList<>(stream.take(1500 + 34 * 2, Duration.ofSeconds(120)));
            assertThat(records.stream().filter(r -> ChangeEvent.of(r).operation() == Operation.DELETE)).hasSize(34);
            return records;
        }
    }

    static int countRows(PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
