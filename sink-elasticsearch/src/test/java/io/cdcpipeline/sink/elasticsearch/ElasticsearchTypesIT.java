package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.indices.GetMappingResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.PostgresTypesTable;
import io.cdcpipeline.testkit.PostgresTypesTable.Column;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Postgres types beyond the everyday ones, from real Debezium records under each of its handling modes, through
 * the sink into the stack's Elasticsearch: every document arrives, each field holds what the type table in
 * docs/elasticsearch-sink.md says, geometries are searchable geo fields, and the values a field type cannot hold (a
 * projected geometry in a geo_shape, NaN in a double) are stored as null and counted.
 */
@RealStack
class ElasticsearchTypesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Map<String, String>> modes() {
        return PostgresTypesTable.MODES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    @SuppressWarnings("rawtypes")
    void everyDocumentArrivesWithTheValuesTheTypeTableDocuments(Map<String, String> modes, StackEndpoints stack,
            PostgresTestDatabase pg, ElasticsearchTestIndex es) throws Exception {
        List<SinkRecord> records = PostgresTypesTable.capture(stack, pg, modes);
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of());
            assertThat(h.deadLetters).as("dead letters").extracting(d -> d.reason().getMessage()).isEmpty();
            String alias = h.alias(PostgresTypesTable.NAME);

            GetMappingResponse mapping = h.client().indices().getMapping(m -> m.index(alias));
            var properties = mapping.result().values().iterator().next().mappings().properties();
            // geo_shape comes with the spatial module, which the stack's integ-test distribution lacks: there the
            // sink keeps the WKT in a keyword field instead (and says so in its log).
            boolean geoShapes = h.client().nodes().info(n -> n.metric("plugins")).nodes().values().stream()
                    .allMatch(node -> node.modules().stream().anyMatch(m -> m.name().equals("spatial")
                            || m.name().equals("legacy-geo")));
            for (String geometry : List.of("c_geom", "c_geog")) {
                assertThat(geoShapes ? properties.get(geometry).isGeoShape() : properties.get(geometry).isKeyword())
                        .as("%s as %s", geometry, geoShapes ? "geo_shape" : "keyword").isTrue();
            }
            assertThat(properties.get("c_point").isGeoPoint()).as("point as geo_point").isTrue();
            long near = h.client().search(s -> s.index(alias).query(q -> q.geoDistance(g -> g.field("c_point")
                    .distance("10km").location(l -> l.latlon(ll -> ll.lat(40.75).lon(-73.98))))), Map.class)
                    .hits().total().value();
            assertThat(near).as("documents within 10 km of the third row's point").isEqualTo(1);

            h.client().indices().refresh(r -> r.index(alias));
            SearchResponse<Map> response = h.client().search(s -> s.index(alias).size(100), Map.class);
            Map<String, Map> sources = new HashMap<>();
            for (Hit<Map> hit : response.hits().hits()) {
                sources.put(hit.id(), hit.source());
            }
            assertThat(sources).as("every row arrives").hasSize(PostgresTypesTable.IDS.size());
            boolean doubles = "double".equals(modes.get("decimal.handling.mode"));
            for (int id : PostgresTypesTable.IDS) {
                Map<String, String> expected;
                try (Connection conn = pg.connect()) {
                    expected = PostgresTypesTable.expected(conn, modes, id);
                }
                // What Elasticsearch field types cannot hold is stored as null (value.out.of.range=clamp).
                if (id == 1 && geoShapes) {
                    expected.put("c_geom_projected", null); // SRID 3857 metres are no longitudes and latitudes
                }
                if (doubles) {
                    expected.put("c_num_special", null); // NaN and -Infinity in a double field
                }
                // json other than an object, in an object field: kept as {"value": ...}
                String scalar = expected.get("c_json_scalar");
                expected.put("c_json_scalar", scalar == null || scalar.equals("null") ? null : "{\"value\": " + scalar + "}");
                for (Column column : PostgresTypesTable.columns(modes)) {
                    String got = text(column, modes, sources.get(String.valueOf(id)).get(column.name()));
                    String want = expected.get(column.name());
                    assertThat(column.kind().canonical(got))
                            .as("%s of document %d: Postgres has <%s>, Elasticsearch <%s>", column.name(), id, want, got)
                            .isEqualTo(column.kind().canonical(want));
                }
            }
            assertThat(h.metric("index-values-clamped-total", Map.of("index", alias, "column", "c_geom_projected")))
                    .as("the projected geometry counted where a geo_shape holds it").isEqualTo(geoShapes ? 1 : 0);
            assertThat(h.metric("index-values-clamped-total", Map.of("index", alias, "column", "c_json_scalar")))
                    .as("a string and an array of scalars kept as objects").isEqualTo(2);
            if (doubles) {
                assertThat(h.metric("index-values-clamped-total", Map.of("index", alias, "column", "c_num_special")))
                        .as("NaN and -Infinity counted").isEqualTo(2);
            }
        }
    }

    /** A _source value as the text the type table compares: lists joined by '|', objects as JSON, bytes as hex. */
    private static String text(Column column, Map<String, String> modes, Object value) throws Exception {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> items && column.kind().name().startsWith("LIST_")) {
            StringJoiner joined = new StringJoiner("|");
            for (Object item : items) {
                joined.add(item == null ? "NULL" : scalar(item));
            }
            return joined.toString();
        }
        String text = scalar(value);
        String binary = modes.getOrDefault("binary.handling.mode", "bytes");
        if (column.name().equals("c_bytea") && !binary.equals("hex")) {
            return HexFormat.of().formatHex(Base64.getDecoder().decode(text)); // bytes go to a binary field as base64
        }
        if (column.name().equals("c_pair")) {
            byte[] bytes = binary.equals("hex") ? HexFormat.of().parseHex(text) : Base64.getDecoder().decode(text);
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return text;
    }

    private static String scalar(Object value) throws Exception {
        return value instanceof Map || value instanceof List ? JSON.writeValueAsString(value) : value.toString();
    }
}
