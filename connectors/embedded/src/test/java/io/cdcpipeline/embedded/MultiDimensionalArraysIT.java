package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arrays of two and three dimensions, which Debezium alone sends with every inner array NULL: the embedded runner
 * finds the columns declared with their dimensions and has them sent as JSON text, so both copies hold exactly
 * what Postgres's own {@code array_to_json} gives, in the snapshot and in streamed changes (NULL elements, quoted
 * text, NaN, an empty array and a NULL array included). A one-dimensional array keeps its typed form. A column
 * added while the runner runs arrives whole from its first row.
 */
@RealStack
class MultiDimensionalArraysIT {

    private static final List<String> COLUMNS = List.of("m_int", "m_text", "m_float", "m_bool", "m_numeric", "cube");

    @Test
    void everyDimensionAndElementArrivesInBothCopies(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql("CREATE TABLE grids (id integer PRIMARY KEY, m_int integer[][], m_text text[][], m_float float8[][], "
                        + "m_bool boolean[][], m_numeric numeric(6,2)[][], cube integer[][][], flat integer[])",
                "INSERT INTO grids VALUES (1, '{{1,2},{3,NULL}}', '{{\"a,b\",\"c\\\"d\"},{NULL,\"NULL\"}}', "
                        + "'{{1.5,NaN},{-Infinity,0}}', '{{t,f}}', '{{1.50,-2.25}}', '{{{1,2},{3,4}},{{5,6},{7,8}}}', "
                        + "'{9,10}')",
                "INSERT INTO grids VALUES (2, '{}', NULL, NULL, NULL, NULL, NULL, NULL)");
        h.extraConfig.put("source.table.include.list", "public.customers,public.grids");
        try (EmbeddedPipeline pipeline = h.start()) {
            Await.until(() -> h.elasticsearchDocs("grids").size() == 2, 120, "the snapshot");
            h.sql("INSERT INTO grids VALUES (3, '{{7}}', '{{x},{y}}', '{{2.5}}', '{{f},{t}}', '{{3.00}}', "
                    + "'{{{0}}}', '{}')", "UPDATE grids SET m_int = '{{10,20,30},{40,50,60}}' WHERE id = 1");
            Await.until(() -> expected(h).equals(clickHouse(h, ch)) && expected(h).equals(elasticsearch(h)), 120,
                    "both copies equal array_to_json of every column");
            assertThat(clickHouse(h, ch).get("1").get("m_int")).isEqualTo("[[10,20,30],[40,50,60]]");
            assertThat(h.clickHouse("SELECT toString(flat) FROM " + ch.name() + ".grids_current WHERE id = 1").trim())
                    .as("a one-dimensional array stays an Array").isEqualTo("[9,10]");

            // A column added while the runner runs: the converter finds it in the catalog when Debezium reads the
            // table's new schema, so its first rows arrive whole too.
            h.sql("ALTER TABLE grids ADD COLUMN later integer[][]",
                    "INSERT INTO grids (id, later) VALUES (4, '{{1,2},{3,NULL}}')",
                    "UPDATE grids SET later = '{{5},{6}}' WHERE id = 1");
            Await.until(() -> {
                Map<String, String> expected = new TreeMap<>();
                for (List<String> row : h.postgresRows("SELECT id::text, coalesce(array_to_json(later)::text, "
                        + "'(null)') FROM grids")) {
                    expected.put(row.get(0), row.get(1));
                }
                Map<String, String> clickHouse = new TreeMap<>();
                for (String line : h.clickHouse("SELECT toString(id), ifNull(later, '(null)') FROM " + ch.name()
                        + ".grids_current FORMAT TSVRaw").split("\n")) {
                    if (!line.isEmpty()) {
                        clickHouse.put(line.split("\t")[0], line.split("\t")[1]);
                    }
                }
                Map<String, String> elasticsearch = new TreeMap<>();
                h.elasticsearchDocs("grids").forEach((id, doc) -> elasticsearch.put(id,
                        doc.get("later") == null ? "(null)" : doc.get("later")));
                return expected.size() == 4 && expected.equals(clickHouse) && expected.equals(elasticsearch);
            }, 120, "the column added later, in both copies");
            h.assertNoDeadLetters();
        }
    }

    /** id to column to Postgres's array_to_json text. */
    private static Map<String, Map<String, String>> expected(PipelineHarness h) throws Exception {
        StringBuilder select = new StringBuilder("SELECT id::text");
        COLUMNS.forEach(c -> select.append(", array_to_json(").append(c).append(")::text"));
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (List<String> row : h.postgresRows(select + " FROM grids")) {
            Map<String, String> values = new TreeMap<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                values.put(COLUMNS.get(i), row.get(i + 1));
            }
            rows.put(row.get(0), values);
        }
        return rows;
    }

    private static Map<String, Map<String, String>> clickHouse(PipelineHarness h, ClickHouseTestDatabase ch)
            throws Exception {
        StringBuilder select = new StringBuilder("SELECT toString(id)");
        COLUMNS.forEach(c -> select.append(", ifNull(").append(c).append(", '(null)')"));
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (String line : h.clickHouse(select + " FROM " + ch.name() + ".grids_current FORMAT TSVRaw").split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            Map<String, String> values = new TreeMap<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                values.put(COLUMNS.get(i), "(null)".equals(cells[i + 1]) ? null : cells[i + 1]);
            }
            rows.put(cells[0], values);
        }
        return rows;
    }

    private static Map<String, Map<String, String>> elasticsearch(PipelineHarness h) throws Exception {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        h.elasticsearchDocs("grids").forEach((id, doc) -> {
            Map<String, String> values = new TreeMap<>();
            COLUMNS.forEach(c -> values.put(c, doc.get(c)));
            rows.put(id, values);
        });
        return rows;
    }
}
