package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema changes on a streamed table, one after another while the pipeline runs (the embedded runner, both sinks):
 * a column added with a default, a rename, a drop, int to bigint, varchar(n) to text, numeric precision raised.
 * After each, every row of ClickHouse's view and every document of Elasticsearch equals Postgres's row, column for
 * column (numbers compared as numbers: a raised numeric scale shows more zeros in Postgres), and nothing is
 * dead-lettered. The first two change rows written before without streaming anything for them: ClickHouse follows
 * with a column default and a rename, Elasticsearch rewrites its documents in place.
 */
@RealStack
class MidStreamSchemaChangesIT {

    @Test
    void everyChangeLeavesBothCopiesEqualToPostgres(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA, "CREATE TABLE accounts (id integer PRIMARY KEY, name varchar(20), credit integer, "
                        + "rate numeric(8,2), gone text)",
                "INSERT INTO accounts SELECT g, 'name ' || g, g, g / 4.0, 'x' FROM generate_series(1, 200) g");
        h.extraConfig.put("source.table.include.list", "public.customers,public.accounts");
        try (EmbeddedPipeline pipeline = h.start()) {
            awaitEqual(h, ch, es, "the snapshot");
            List<String[]> steps = List.of(
                    new String[] {"ADD COLUMN tier text NOT NULL DEFAULT 'basic', ADD COLUMN n integer DEFAULT 7",
                        "INSERT INTO accounts VALUES (201, 'n201', 201, 1.5, 'x', 'gold', NULL)"},
                    new String[] {"RENAME COLUMN name TO full_name", "UPDATE accounts SET credit = -1 WHERE id = 7"},
                    new String[] {"DROP COLUMN gone", "INSERT INTO accounts VALUES (202, 'n202', 202, 2.5, 'a', 1)"},
                    new String[] {"ALTER COLUMN credit TYPE bigint",
                        "INSERT INTO accounts VALUES (203, 'n203', 9000000000, 3.5, 'b', 2)"},
                    new String[] {"ALTER COLUMN full_name TYPE text",
                        "INSERT INTO accounts VALUES (204, repeat('long ', 10), 204, 4.5, 'c', 3)"},
                    new String[] {"ALTER COLUMN rate TYPE numeric(14,4)",
                        "INSERT INTO accounts VALUES (205, 'n205', 205, 123456789.1234, 'd', 4)"});
            for (String[] step : steps) {
                h.sql("ALTER TABLE accounts " + step[0], step[1], "UPDATE accounts SET credit = credit + 1 WHERE id = 3");
                awaitEqual(h, ch, es, step[0]);
            }
            h.assertNoDeadLetters();
            long rows = Long.parseLong(h.postgresRows("SELECT count(*) FROM accounts").get(0).get(0));
            for (String[] step : steps) {
                ReliabilityCase.badInput("Schema change mid-stream: ALTER TABLE " + step[0])
                        .expected("both copies follow in place; the change's own rows arrive; nothing dead-lettered")
                        .observed("ClickHouse and Elasticsearch equal Postgres after the step, 0 dead letters")
                        .rowsCompared(2 * rows).record();
            }
        }
    }

    /**
     * Changes no copy can apply in place, on two tables: integer to text (an index mapping never changes a field's
     * type; no ALTER turns ClickHouse's Int32 into the text Postgres computed with USING) and a renamed primary-key
     * column (no ClickHouse version changes a sorting key). Both sinks rebuild by themselves (the signal table is
     * configured): a new index version or table takes the writes, an incremental snapshot fills it, and the alias
     * moves or the tables swap names once the snapshot's completion is notified. Changes made meanwhile (an insert,
     * an update, a delete) are kept, both copies end equal to Postgres, and nothing is dead-lettered.
     */
    @Test
    void changesNoCopyCanApplyInPlaceRebuildItWithoutDeadLetters(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.sql("CREATE TABLE codes (id integer PRIMARY KEY, code integer)",
                "INSERT INTO codes SELECT g, g * 10 FROM generate_series(1, 300) g",
                "CREATE TABLE keyed (id integer PRIMARY KEY, v text)",
                "INSERT INTO keyed SELECT g, 'v' || g FROM generate_series(1, 100) g");
        h.extraConfig.put("source.table.include.list", "public.debezium_signal,public.codes,public.keyed");
        try (EmbeddedPipeline pipeline = h.start()) {
            Await.until(() -> h.elasticsearchDocs("codes").size() == 300 && h.elasticsearchDocs("keyed").size() == 100
                    && clickHouseRows(h, ch, "codes", "id, code").size() == 300, 120, "the snapshot in both copies");
            h.sql("ALTER TABLE codes ALTER COLUMN code TYPE text USING 'c' || code",
                    "INSERT INTO codes VALUES (301, 'not a number')", "UPDATE codes SET code = 'changed' WHERE id = 5",
                    "DELETE FROM codes WHERE id = 6",
                    "ALTER TABLE keyed RENAME COLUMN id TO ident",
                    "INSERT INTO keyed VALUES (101, 'new')", "UPDATE keyed SET v = 'changed' WHERE ident = 5",
                    "DELETE FROM keyed WHERE ident = 6");
            Await.until(() -> h.elasticsearchDocs("codes").equals(asDocuments(h, "codes", "id", "code")), 180,
                    "the rebuilt index equals Postgres");
            awaitSame(() -> clickHouseRows(h, ch, "codes", "id, code"),
                    () -> h.postgresRows("SELECT id::text, code FROM codes"), 180,
                    "the rebuilt ClickHouse table of codes equals Postgres");
            awaitSame(() -> clickHouseRows(h, ch, "keyed", "ident, v"),
                    () -> h.postgresRows("SELECT ident::text, v FROM keyed"), 180,
                    "the rebuilt ClickHouse table of keyed equals Postgres");
            Await.until(() -> h.elasticsearchDocs("keyed").equals(asDocuments(h, "keyed", "ident", "v")), 120,
                    "Elasticsearch's keyed equals Postgres (the key field renamed in place)");
            assertThat(h.postgresRows("SELECT count(*) FROM debezium_signal WHERE id LIKE 'resync-%' "
                    + "AND data LIKE '%public.codes%'").get(0).get(0)).as("one snapshot of codes per sink").isEqualTo("2");
            assertThat(h.postgresRows("SELECT count(*) FROM debezium_signal WHERE id LIKE 'resync-%' "
                    + "AND data LIKE '%public.keyed%'").get(0).get(0)).as("one of keyed, for ClickHouse").isEqualTo("1");
            HttpResponse<String> alias = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(es.url() + "/_alias/" + es.name()
                            + "_codes")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(alias.body()).as("the alias moved to the new version").contains(es.name() + "_codes_v2")
                    .doesNotContain(es.name() + "_codes_v1");
            assertThat(h.clickHouse("SELECT name FROM system.tables WHERE database = '" + ch.name() + "' AND name LIKE "
                    + "'codes%' ORDER BY name FORMAT TabSeparated").lines().toList())
                    .as("the rebuilt table in its place, the old one kept, the view made again")
                    .hasSize(3).startsWith("codes", "codes_current").last().asString().startsWith("codes_replaced_");
            assertThat(h.clickHouse("SELECT type FROM system.columns WHERE database = '" + ch.name()
                    + "' AND table = 'codes' AND name = 'code' FORMAT TabSeparated").trim()).isEqualTo("Nullable(String)");
            h.sql("INSERT INTO codes VALUES (302, 'after the swap')", "INSERT INTO keyed VALUES (102, 'after the swap')");
            Await.until(() -> "after the swap".equals(h.elasticsearchDocs("codes").getOrDefault("302", Map.of())
                    .get("code")), 60, "a change after the swap");
            awaitSame(() -> clickHouseRows(h, ch, "codes", "id, code"),
                    () -> h.postgresRows("SELECT id::text, code FROM codes"), 60,
                    "a change of codes after the swap in ClickHouse");
            awaitSame(() -> clickHouseRows(h, ch, "keyed", "ident, v"),
                    () -> h.postgresRows("SELECT ident::text, v FROM keyed"), 60,
                    "a change of keyed after the swap in ClickHouse");
            h.assertNoDeadLetters();
            long rows = 2 * (h.postgresRows("SELECT * FROM codes").size() + h.postgresRows("SELECT * FROM keyed").size());
            ReliabilityCase.badInput("Schema change no copy can apply in place: integer to text USING, primary-key "
                            + "column renamed")
                    .expected("both sinks rebuild the table or index from an incremental snapshot and swap; changes "
                            + "made meanwhile kept; nothing dead-lettered")
                    .observed("alias moved to codes_v2; ClickHouse tables swapped (old one kept as codes_replaced_*); "
                            + "both copies equal Postgres, 0 dead letters")
                    .rowsCompared(rows).record();
        }
    }

    /** A two-column table's rows as Elasticsearch documents: key text to {key, value}. */
    private static Map<String, Map<String, String>> asDocuments(PipelineHarness h, String table, String key,
            String value) throws Exception {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (List<String> row : h.postgresRows("SELECT " + key + "::text, " + value + " FROM " + table)) {
            rows.put(row.get(0), Map.of(key, row.get(0), value, row.get(1)));
        }
        return rows;
    }

    /** Waits until two lists hold the same rows (in any order); a timeout says how they differ last. */
    private static void awaitSame(Callable<List<List<String>>> actual,
            Callable<List<List<String>>> expected, int seconds, String what) throws Exception {
        List<String> last = new ArrayList<>();
        try {
            Await.until(() -> {
                List<List<String>> a = new ArrayList<>(actual.call());
                List<List<String>> e = new ArrayList<>(expected.call());
                a.sort(Comparator.comparing(Object::toString));
                e.sort(Comparator.comparing(Object::toString));
                last.clear();
                List<List<String>> missing = new ArrayList<>(e);
                missing.removeAll(a);
                List<List<String>> extra = new ArrayList<>(a);
                extra.removeAll(e);
                last.add(a.size() + " rows, " + e.size() + " expected; missing " + missing.subList(0,
                        Math.min(5, missing.size())) + "; unexpected " + extra.subList(0, Math.min(5, extra.size())));
                return a.equals(e);
            }, seconds, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + last, e);
        }
    }

    /** The rows of a ClickHouse table's current-state view, as text. */
    private static List<List<String>> clickHouseRows(PipelineHarness h, ClickHouseTestDatabase ch, String table,
            String columns) throws Exception {
        StringJoiner select = new StringJoiner(", ");
        for (String column : columns.split(",")) {
            select.add("toString(" + column.trim() + ")");
        }
        return h.clickHouse("SELECT " + select + " FROM " + ch.name() + "." + table + "_current FORMAT TabSeparated").lines().filter(l -> !l.isEmpty()).map(l -> List.of(l.split("\t", -1)))
                .toList();
    }

    private static void awaitEqual(PipelineHarness h, ClickHouseTestDatabase ch, ElasticsearchTestIndex es,
            String after) throws Exception {
        List<String> last = new ArrayList<>();
        try {
            Await.until(() -> {
                Map<String, Map<String, String>> source = postgres(h);
                String columns = String.join(", ", source.values().iterator().next().keySet());
                Map<String, Map<String, String>> clickHouse = clickHouse(h, ch, source);
                Map<String, Map<String, String>> docs = h.elasticsearchDocs("accounts");
                last.clear();
                last.add(differences("ClickHouse", source, clickHouse));
                last.add(differences("Elasticsearch", source, docs));
                return last.stream().allMatch(String::isEmpty) && !columns.isEmpty();
            }, 120, "after " + after + ": both copies equal Postgres");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + String.join("; ", last), e);
        }
    }

    /** Postgres's rows, id to column to text. */
    private static Map<String, Map<String, String>> postgres(PipelineHarness h) throws Exception {
        List<String> names = h.postgresRows("SELECT column_name FROM information_schema.columns WHERE table_name = "
                + "'accounts' AND table_schema = 'public'").stream().map(r -> r.get(0)).toList();
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (List<String> row : h.postgresRows("SELECT " + String.join(", ", names) + " FROM accounts")) {
            Map<String, String> values = new TreeMap<>();
            for (int i = 0; i < names.size(); i++) {
                values.put(names.get(i), row.get(i));
            }
            rows.put(values.get("id"), values);
        }
        return rows;
    }

    /** ClickHouse's view, for Postgres's columns. */
    private static Map<String, Map<String, String>> clickHouse(PipelineHarness h, ClickHouseTestDatabase ch,
            Map<String, Map<String, String>> source) throws Exception {
        List<String> names = new ArrayList<>(source.values().iterator().next().keySet());
        StringJoiner select = new StringJoiner(", ");
        names.forEach(n -> select.add("ifNull(toString(`" + n + "`), '(null)')"));
        Map<String, Map<String, String>> rows = new TreeMap<>();
        String body = h.clickHouse("SELECT toString(id), " + select + " FROM " + ch.name()
                + ".accounts_current FORMAT TabSeparated");
        for (String line : body.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            Map<String, String> values = new TreeMap<>();
            for (int i = 0; i < names.size(); i++) {
                values.put(names.get(i), "(null)".equals(cells[i + 1]) ? null : cells[i + 1]);
            }
            rows.put(cells[0], values);
        }
        return rows;
    }

    /** The first differences of a copy from Postgres (columns Postgres has; numbers by value), or "". */
    private static String differences(String copy, Map<String, Map<String, String>> source,
            Map<String, Map<String, String>> target) {
        List<String> found = new ArrayList<>();
        if (!source.keySet().equals(target.keySet())) {
            found.add(target.size() + " rows, " + source.size() + " expected");
        }
        source.forEach((id, row) -> {
            Map<String, String> other = target.get(id);
            if (other == null) {
                return;
            }
            row.forEach((column, value) -> {
                if (!same(value, other.get(column))) {
                    found.add("id " + id + " " + column + ": " + other.get(column) + ", expected " + value);
                }
            });
        });
        return found.isEmpty() ? "" : copy + ": " + String.join(", ", found.subList(0, Math.min(5, found.size())));
    }

    private static boolean same(String expected, String actual) {
        if (expected == null || actual == null) {
            return expected == actual;
        }
        if (expected.equals(actual)) {
            return true;
        }
        try {
            return new BigDecimal(expected).compareTo(new BigDecimal(actual)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
