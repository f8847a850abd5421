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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table created while the pipeline runs, matching the source's include list, arrives without a restart: the runner
 * adds it to the filtered publication and snapshots it incrementally, so rows written before it was published arrive
 * as well as the changes after; so does a table created while the runner was stopped, at the next start. A table the
 * include list does not capture stays out of the publication.
 */
@RealStack
class NewTablesIT {

    @Test
    void aNewTableMatchingTheIncludeListArrivesWithItsEarlierRows(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.extraConfig.put("source.table.include.list", h.extraConfig.get("source.table.include.list")
                + ",public\\.audit_.*");
        h.extraConfig.put(RunnerConfig.NEW_TABLES_CHECK_MS, "500");
        h.sql("INSERT INTO customers VALUES (1, 'a@example.com', 'A')");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);

            // Created and filled in one transaction, before any check can publish it: these rows reach the copies
            // only through the snapshot.
            h.transaction("CREATE TABLE audit_log (id integer PRIMARY KEY, note text)",
                    "INSERT INTO audit_log SELECT g, 'before ' || g FROM generate_series(1, 300) g",
                    "CREATE TABLE scratch (id integer PRIMARY KEY)");
            Await.until(() -> published(h).contains("public.audit_log"), 30, "audit_log published");
            // Changes after it was published stream as usual.
            h.sql("INSERT INTO audit_log SELECT g, 'after ' || g FROM generate_series(301, 320) g",
                    "UPDATE audit_log SET note = 'changed' WHERE id = 5", "DELETE FROM audit_log WHERE id = 6");

            Await.until(() -> "319".equals(h.clickHouse("SELECT count() FROM " + ch.name() + ".audit_log_current")
                    .trim()) && h.elasticsearchDocs("audit_log").size() == 319, 120, "audit_log in both copies");
            assertThat(h.clickHouse("SELECT note FROM " + ch.name() + ".audit_log_current WHERE id IN (1, 5, 320) "
                    + "ORDER BY id").trim().split("\n")).containsExactly("before 1", "changed", "after 320");
            assertThat(h.elasticsearchDocs("audit_log").get("5").get("note")).isEqualTo("changed");
            assertThat(published(h)).as("not captured, not published").doesNotContain("public.scratch");
        }

        // Created while the runner is stopped: found at the next start, its earlier rows snapshotted as well.
        h.transaction("CREATE TABLE audit_archive (id integer PRIMARY KEY)",
                "INSERT INTO audit_archive SELECT generate_series(1, 40)");
        try (EmbeddedPipeline pipeline = h.start()) {
            Await.until(() -> published(h).contains("public.audit_archive"), 60, "audit_archive published");
            h.sql("INSERT INTO audit_archive VALUES (41)");
            Await.until(() -> "41".equals(h.clickHouse("SELECT count() FROM " + ch.name() + ".audit_archive_current")
                    .trim()) && h.elasticsearchDocs("audit_archive").size() == 41, 120, "audit_archive in both copies");
            h.assertNoDeadLetters();
        }
    }

    private static List<String> published(PipelineHarness h) throws Exception {
        return h.postgresRows("SELECT schemaname || '.' || tablename FROM pg_publication_tables").stream()
                .map(row -> row.get(0)).toList();
    }
}
