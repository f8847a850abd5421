package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
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
 * Tables without a primary key in Elasticsearch: documents identified by their content, so an insert-only history
 * lands whole, updates and deletes under REPLICA IDENTITY FULL find their documents, replays double nothing, and
 * nothing is dead-lettered.
 */
@RealStack
class ElasticsearchKeylessIT {

    @Test
    void keylessRowsAreDocumentsIdentifiedByContent(StackEndpoints stack, PostgresTestDatabase pg,
            ElasticsearchTestIndex es) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE history (tid integer, aid integer, delta integer)");
            st.execute("INSERT INTO history SELECT g % 10, g, g * 7 % 1000 - 500 FROM generate_series(1, 300) g");
            st.execute("CREATE TABLE tags (name text NOT NULL, note text)");
            st.execute("ALTER TABLE tags REPLICA IDENTITY FULL");
            st.execute("INSERT INTO tags VALUES ('a', 'first'), ('b', NULL), ('c', repeat('x', 5000))");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.history", "public.tags"),
                Map.of())) {
            records.addAll(stream.take(303, Duration.ofSeconds(90)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO history SELECT 1, g, 1 FROM generate_series(301, 350) g");
                st.execute("UPDATE tags SET note = 'changed' WHERE name = 'a'");
                st.execute("UPDATE tags SET name = 'cc' WHERE name = 'c'"); // its long note is stored out of line
                st.execute("UPDATE tags SET note = note WHERE name = 'cc'"); // changes nothing
                st.execute("DELETE FROM tags WHERE name = 'b'");
                st.execute("INSERT INTO tags VALUES ('d', 'new')");
            }
            records.addAll(stream.take(56, Duration.ofSeconds(90))); // the delete's tombstone included
        }
        try (EsHarness h = new EsHarness(es)) {
            h.write(records, Map.of());
            h.write(records, Map.of()); // delivered again: nothing doubles
            assertThat(h.deadLetters).isEmpty();
            assertThat(h.documents("history")).hasSize(350);
            List<String> tags = new ArrayList<>();
            h.documents("tags").values().forEach(doc -> tags.add(doc.substring(doc.indexOf('|') + 1)
                    .replaceAll("x{10,}", "x...")));
            tags.sort(null);
            assertThat(tags).containsExactly("{name=a, note=changed}", "{name=cc, note=x...}", "{name=d, note=new}");
            assertThat(postgres(pg, "SELECT count(*) FROM tags")).isEqualTo("3");
        }
    }

    private static String postgres(PostgresTestDatabase pg, String sql) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
