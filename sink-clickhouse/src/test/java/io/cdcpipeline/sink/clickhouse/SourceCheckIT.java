package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.ColumnKind;
import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.consistency.KeyColumns;
import io.cdcpipeline.core.consistency.SinkCopy;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.consistency.StraySweep;
import io.cdcpipeline.core.consistency.TargetRows;
import io.cdcpipeline.core.consistency.TargetValues;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ClickHouse side of the check against Postgres, on the stack's 18.16 server and on the modern engine of chdb:
 * live keys read page by page in key order (composite and uuid keys), rows whose key Postgres lacks removed through
 * versioned delete markers, and a row that changed since it was read left alone.
 */
@RealStack
class SourceCheckIT {

    @Test
    void rowsWhoseKeyPostgresNoLongerHasAreRemovedOnBothDialects(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            // Deleted while no delete could reach the copies.
            st.execute("DELETE FROM lines WHERE (order_id, sku) IN ((1, 'b'), (3, 'a b'))");
            st.execute("DELETE FROM tokens WHERE v = 2");
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern();
                Connection source = pg.connect()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                TableManager tables = tablesOf(server);
                ClickHouseTargetRows target = new ClickHouseTargetRows(server.connection, tables,
                        server.config().backoff(), ClickHouseFailure.retries(() -> { }));
                SourceKeys keys = new SourceKeys(source);

                String lines = tables.qualified("lines");
                TableId linesTable = new TableId("public", "lines");
                StraySweep.Result result = StraySweep.run(keys, linesTable,
                        keys.keyColumns(linesTable, List.of("order_id", "sku")), target, lines, 2);
                assertThat(result).as("%s: lines checked in pages of 2, strays removed", server)
                        .isEqualTo(new StraySweep.Result(7, 2));
                assertThat(server.rows("SELECT toString(order_id), sku FROM " + server.table("lines_current")
                        + " ORDER BY order_id, sku")).extracting(r -> r[0] + "|" + r[1])
                        .as("%s: lines left", server).containsExactly("1|a", "2|a", "2|c", "3|a", "4|x");
                assertThat(target.liveCount(lines)).isEqualTo(5);
                assertThat(target.liveRows(lines, keys.keyColumns(linesTable, List.of("order_id", "sku")),
                        List.of(List.of("1", "a"), List.of("1", "b"), List.of("3", "a b"), List.of("2", "c"))))
                        .extracting(TargetRows.Row::key).as("%s: the live rows among keys asked for", server)
                        .containsExactlyInAnyOrder(List.of("1", "a"), List.of("2", "c"));

                String tokens = tables.qualified("tokens");
                TableId tokensTable = new TableId("public", "tokens");
                KeyColumns tokenKey = keys.keyColumns(tokensTable, List.of("id"));
                List<TargetRows.Row> live = new ArrayList<>();
                target.scanLive(tokens, tokenKey, 10, live::addAll);
                assertThat(live).as("%s: tokens read", server).hasSize(3);
                TargetRows.Row first = live.get(0);
                assertThat(target.removeAt(tokens, tokenKey, List.of(new TargetRows.Row(first.key(),
                        first.version() - 1, null)))).as("%s: a row holding another version than read stays", server)
                        .isZero();
                assertThat(StraySweep.run(keys, tokensTable, tokenKey, target, tokens))
                        .isEqualTo(new StraySweep.Result(3, 1));
                assertThat(server.scalar("SELECT count() FROM " + server.table("tokens_current"))).isEqualTo("2");
                assertThat(StraySweep.run(keys, tokensTable, tokenKey, target, tokens))
                        .as("%s: a second check finds nothing more", server).isEqualTo(new StraySweep.Result(2, 0));
            }
            assertThatThrownBy(() -> new SourceKeys(source).keyColumns(new TableId("public", "dated"), List.of("d"))).as("a key type whose text form differs between the copies")
                    .isInstanceOf(SourceKeys.UnsupportedKeyException.class)
                    .hasMessage("key column d of public.dated has type date; keys are checked for smallint, integer, "
                            + "bigint, text, varchar and uuid columns only");
        }
    }

    /**
     * Values compared as the sink means to hold them, on both dialects: every supported type equal as written
     * (18.16's whole-second DateTime, Bool as 1/0, decimals without trailing zeros, sorted json, NaN), unsupported
     * types listed, and a value changed by hand found with its column and both values.
     */
    @Test
    void valuesAsTheSinkHoldsThemCompareEqualAndAChangedOneIsNamed(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE typed (id integer PRIMARY KEY, t text, c char(4), j jsonb, b boolean, "
                    + "n numeric(10,3), r real, d double precision, u uuid, dt date, ts timestamp(6), tz timestamptz, "
                    + "tm time)");
            st.execute("INSERT INTO typed VALUES (1, 'tab\there', 'ab', '{\"b\": 1, \"a\": [1, 2]}', true, 12.500, 1.1, "
                    + "0.30000000000000004, '6f1c2a4e-0000-4000-8000-000000000001', '2024-02-29', "
                    + "'2026-01-01 10:00:00.123456', '2026-01-01 10:00:00.5+02', '10:00'), "
                    + "(2, NULL, NULL, NULL, false, 0, 'NaN', '-Infinity', NULL, NULL, NULL, NULL, NULL)");
        }
        List<SinkRecord> records = snapshot(stack, pg, "typed", 2);
        TableId table = new TableId("public", "typed");
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern();
                Connection source = pg.connect()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                assertThat(server.deadLetters).as("%s dead letters", server).isEmpty();
                TableManager tables = tablesOf(server);
                SinkCopy copy = copyOf(server, tables);
                CopyCheck.Options options = new CopyCheck.Options(100, Duration.ofMillis(10), 1, work);
                CopyCheck.Result equal = CopyCheck.run(server.toString(), table, new SourceKeys(source), copy, options);
                assertThat(equal.status()).as("%s: %s", server, equal).isEqualTo(CopyCheck.Status.EQUAL);
                assertThat(equal.comparedBy()).as("%s: every type has a checksum form", server).isEqualTo("checksums");
                assertThat(equal.notCompared()).containsExactly("tm (time)");
                List<TargetValues.ValuedRow> paged = new ArrayList<>();
                copy.scanValues(tables.existingTable(table), new SourceKeys(source).keyColumns(table, List.of("id")),
                        List.of("t", "n"), 1, paged::addAll);
                assertThat(paged).as("%s: read a row per page, NULLs included", server)
                        .extracting(r -> r.key().get(0) + " " + r.values().get(0) + " "
                                + ColumnKind.DECIMAL.canonical(r.values().get(1), 9))
                        .containsExactly("1 tab\there 12.5", "2 null 0");

                String target = tables.existingTable(table);
                server.connection.execute("INSERT INTO " + target + " SELECT id, 'changed', c, j, b, n, r, d, u, dt, ts, "
                        + "tz, tm, _cdc_version + 1, 0, _cdc_source_ts, now() FROM " + target + " FINAL WHERE id = 1");
                CopyCheck.Result changed = CopyCheck.run(server.toString(), table, new SourceKeys(source), copy, options);
                assertThat(changed.status()).isEqualTo(CopyCheck.Status.DRIFT);
                assertThat(changed.differing()).as("%s", server).containsExactly(new CopyCheck.Difference(List.of("1"),
                        List.of(new CopyCheck.ColumnDifference("t", "tab\there", "changed"))));
                assertThat(changed.missingTotal() + changed.extraTotal()).isZero();
                assertThat(changed.comparedBy()).isEqualTo("checksums; 2 rows of differing buckets read key by key");

                // The last bit of a float, and a NaN turned into a number: found by their bits.
                server.connection.execute("INSERT INTO " + target + " SELECT id, t, c, j, b, n, r, "
                        + "if(id = 1, 0.3000000000000001, 0), u, dt, ts, tz, tm, _cdc_version + 2, 0, _cdc_source_ts, "
                        + "now() FROM " + target + " FINAL");
                server.connection.execute("INSERT INTO " + target + " SELECT id, t, c, j, b, n, if(id = 2, 0, r), d, u, "
                        + "dt, ts, tz, tm, _cdc_version + 3, 0, _cdc_source_ts, now() FROM " + target + " FINAL");
                CopyCheck.Result floats = CopyCheck.run(server.toString(), table, new SourceKeys(source), copy, options);
                assertThat(floats.differing()).as("%s: %s", server, floats).extracting(d -> d.key().get(0) + " "
                        + d.columns().stream().map(CopyCheck.ColumnDifference::column).toList())
                        .containsExactly("1 [t, d]", "2 [r, d]");
            }
        }
    }

    /** Dates and times the copy's types cannot hold are stored as the nearest they hold: not drift, on either dialect. */
    @Test
    void clampedDatesAndTimesCompareEqualAndAnotherValueDoesNot(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE spans (id integer PRIMARY KEY, dt date, ts timestamp(6), tz timestamptz)");
            st.execute("INSERT INTO spans VALUES (1, '1800-01-01', '1969-06-01 12:00:00.25', 'infinity'), "
                    + "(2, '9999-12-31', '-infinity', '1899-12-31 23:00:00-02'), (3, '2024-02-29', '2300-01-01', NULL), "
                    + "(4, '1969-12-31', '1900-01-01', '1970-01-01 00:00:00+00')");
        }
        List<SinkRecord> records = snapshot(stack, pg, "spans", 4);
        TableId table = new TableId("public", "spans");
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern();
                Connection source = pg.connect()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                assertThat(server.deadLetters).as("%s dead letters", server).isEmpty();
                TableManager tables = tablesOf(server);
                SinkCopy copy = copyOf(server, tables);
                CopyCheck.Options options = new CopyCheck.Options(100, Duration.ofMillis(10), 1, work);
                CopyCheck.Result equal = CopyCheck.run(server.toString(), table, new SourceKeys(source), copy, options);
                assertThat(equal.status()).as("%s: %s", server, equal).isEqualTo(CopyCheck.Status.EQUAL);
                assertThat(equal.comparedBy()).isEqualTo("checksums");

                String target = tables.existingTable(table);
                server.connection.execute("INSERT INTO " + target + " SELECT id, dt, ts, tz, _cdc_version + 1, 0, "
                        + "_cdc_source_ts, now() FROM " + target + " FINAL WHERE id = 3");
                server.connection.execute("INSERT INTO " + target + " SELECT id, toDate('2024-03-01'), ts, tz, "
                        + "_cdc_version + 2, 0, _cdc_source_ts, now() FROM " + target + " FINAL WHERE id = 3");
                CopyCheck.Result changed = CopyCheck.run(server.toString(), table, new SourceKeys(source), copy, options);
                assertThat(changed.differing()).as("%s: %s", server, changed).extracting(d -> d.key().get(0))
                        .containsExactly("3");
            }
        }
    }

    /**
     * A 60,000-row table with 310 drifted keys: bucket sums differ in most of the first buckets, which are split
     * again (more hash bits, only inside the differing buckets) until the few rows left are read key by key, and every
     * drifted key, none other, is named.
     */
    @Test
    void differingBucketsAreSplitUntilFewRowsAreReadKeyByKey(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE wide (id bigint PRIMARY KEY, v text, f double precision)");
            st.execute("INSERT INTO wide VALUES (1, 'v1', 0.5)");
        }
        List<SinkRecord> records = snapshot(stack, pg, "wide", 1);
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("INSERT INTO wide SELECT g, 'v' || g, g / 4.0 FROM generate_series(2, 60000) g");
        }
        TableId table = new TableId("public", "wide");
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern();
                Connection source = pg.connect()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                TableManager tables = tablesOf(server);
                SinkCopy copy = copyOf(server, tables);
                String target = tables.existingTable(table);
                String columns = " (id, v, f, _cdc_version, _cdc_deleted, _cdc_source_ts) ";
                server.connection.execute("INSERT INTO " + target + columns + "SELECT number, concat('v', "
                        + "toString(number)), number / 4, 1, 0, 0 FROM numbers(60001) WHERE number >= 2");
                // 300 changed values, 5 deleted rows (delete markers), 5 rows Postgres never had.
                server.connection.execute("INSERT INTO " + target + columns + "SELECT number * 199, 'drift', "
                        + "number * 199 / 4, 2, 0, 0 FROM numbers(301) WHERE number >= 1");
                server.connection.execute("INSERT INTO " + target + columns + "SELECT number * 7001, "
                        + "concat('v', toString(number * 7001)), number * 7001 / 4, 2, 1, 0 FROM numbers(6) "
                        + "WHERE number >= 1");
                server.connection.execute("INSERT INTO " + target + columns + "SELECT 100000 + number, 'ghost', 0, 1, "
                        + "0, 0 FROM numbers(5)");

                CopyCheck.Result result = CopyCheck.run(server.toString(), table, new SourceKeys(source), copy,
                        new CopyCheck.Options(1000, Duration.ofMillis(10), 1, work));
                List<List<String>> changed = new ArrayList<>();
                for (int i = 1; i <= 300; i++) {
                    changed.add(List.of(Long.toString(i * 199L)));
                }
                assertThat(result.differing()).as("%s", server).extracting(CopyCheck.Difference::key)
                        .containsExactlyInAnyOrderElementsOf(changed);
                assertThat(result.missing()).as("%s", server).containsExactlyInAnyOrder(List.of("7001"),
                        List.of("14002"), List.of("21003"), List.of("28004"), List.of("35005"));
                assertThat(result.extra()).as("%s", server).extracting(TargetRows.Row::key).containsExactlyInAnyOrder(
                        List.of("100000"), List.of("100001"), List.of("100002"), List.of("100003"), List.of("100004"));
                assertThat(result.rowsCompared()).isEqualTo(60_000);
                long readKeyByKey = Long.parseLong(result.comparedBy().replaceAll("checksums; (\\d+) rows.*", "$1"));
                assertThat(readKeyByKey).as("%s: %s (without splitting, every one of 235 buckets of about 235 rows "
                        + "differs)", server, result.comparedBy()).isBetween(310L, 2_000L);
            }
        }
    }

    /** The snapshot records of {@code rows} rows of public.{@code table}. */
    private static List<SinkRecord> snapshot(StackEndpoints stack, PostgresTestDatabase pg, String table, int rows)
            throws Exception {
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public." + table), Map.of())) {
            return stream.take(rows, Duration.ofSeconds(60));
        }
    }

    private static TableManager tablesOf(SinkHarness server) {
        return new TableManager(server.connection, server.config(), server.config().backoff(), ClickHouseFailure.retries(() -> { }),
                table -> { }, TableRebuilds.none(server.config()));
    }

    /** The copy as {@code bin/cdc validate} opens it (ClickHouseCopy), on the harness's connection. */
    private static SinkCopy copyOf(SinkHarness server, TableManager tables) {
        ClickHouseTargetRows rows = new ClickHouseTargetRows(server.connection, tables, server.config().backoff(),
                ClickHouseFailure.retries(() -> { }));
        return SinkCopy.of(rows, rows, new ClickHouseChecksums(server.connection, tables, server.config().backoff(),
                ClickHouseFailure.retries(() -> { })), tables::existingTable, () -> { });
    }

    private static List<SinkRecord> capture(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE lines (order_id bigint, sku text, qty integer NOT NULL, PRIMARY KEY (order_id, sku))");
            st.execute("INSERT INTO lines VALUES (1, 'a', 1), (1, 'b', 2), (2, 'a', 1), (2, 'c', 5), (3, 'a', 1), "
                    + "(3, 'a b', 1), (4, 'x', 9)");
            st.execute("CREATE TABLE dated (d date PRIMARY KEY)");
            st.execute("CREATE TABLE tokens (id uuid PRIMARY KEY, v integer NOT NULL)");
            st.execute("INSERT INTO tokens VALUES ('6f1c2a4e-0000-4000-8000-000000000001', 1), "
                    + "('6f1c2a4e-0000-4000-8000-000000000002', 2), ('00000000-0000-4000-8000-00000000000a', 3)");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.lines", "public.tokens"),
                Map.of())) {
            return stream.take(10, Duration.ofSeconds(60));
        }
    }
}
