package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ALTER TABLE ... ADD COLUMN ... DEFAULT}: Postgres gives its existing rows the default without writing them,
 * so no change of theirs is streamed. The column the sink adds carries the same default, so ClickHouse's existing rows
 * read it too (not the type's zero value), on both dialects.
 */
@RealStack
class ColumnDefaultsIT {

    @Test
    void aColumnAddedWithAConstantDefaultHoldsItInRowsWrittenBefore(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("INSERT INTO items VALUES (1, 'one'), (2, 'two')");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.items"), Map.of())) {
            records.addAll(stream.take(2, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE items ADD COLUMN c text NOT NULL DEFAULT 'dflt', ADD COLUMN n integer DEFAULT 7, "
                        + "ADD COLUMN price numeric(8,2) DEFAULT 12.50, ADD COLUMN since date DEFAULT '2024-02-29', "
                        + "ADD COLUMN flag boolean NOT NULL DEFAULT true, ADD COLUMN plain text");
                st.execute("INSERT INTO items VALUES (3, 'three', 'own', 8, 1.25, '2025-01-01', false, 'p')");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records.subList(0, 2), Map.of());
                server.write(records.subList(2, 3), Map.of());
                assertThat(server.deadLetters).isEmpty();
                assertThat(server.rows("SELECT toString(id), c, ifNull(toString(n), 'NULL'), toString(toFloat64(price)), "
                        + "toString(since), toString(toUInt8(flag)), ifNull(plain, 'NULL') FROM "
                        + server.table("items_current") + " ORDER BY id"))
                        .as("%s", server).extracting(r -> String.join("|", r)).containsExactly(
                                "1|dflt|7|12.5|2024-02-29|1|NULL",
                                "2|dflt|7|12.5|2024-02-29|1|NULL",
                                "3|own|8|1.25|2025-01-01|0|p");
            }
        }
    }

    /**
     * A renamed column keeps its values: renamed in ClickHouse 23.x+, read through a default on 18.16. Also when the
     * sink was restarted between the rows of before and the first row after the rename (it reads the columns of
     * before from the table, where it records them), and a row of before delivered again afterwards (as after a
     * crash) is not taken for a rename back.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"one writer", "restarted in between"})
    void aRenamedColumnKeepsTheValuesOfRowsWrittenBefore(String writers, StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE notes (id integer PRIMARY KEY, note text, qty integer)");
            st.execute("INSERT INTO notes VALUES (1, 'first', 1), (2, 'second', 2)");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.notes"), Map.of())) {
            records.addAll(stream.take(2, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE notes RENAME COLUMN note TO remark");
                st.execute("INSERT INTO notes VALUES (3, 'third', 3)");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                if (writers.equals("one writer")) {
                    server.write(records, Map.of()); // it saw the table's schema before the rename
                } else {
                    server.write(records.subList(0, 2), Map.of());
                    server.write(records.subList(2, 3), Map.of());
                    server.write(records.subList(0, 1), Map.of()); // row 1 of before, delivered again
                }
                assertThat(server.deadLetters).isEmpty();
                assertThat(server.rows("SELECT toString(id), remark, toString(qty) FROM "
                        + server.table("notes_current") + " ORDER BY id"))
                        .as("%s", server).extracting(r -> String.join("|", r))
                        .containsExactly("1|first|1", "2|second|2", "3|third|3");
                assertThat(server.scalar("SELECT count() FROM system.columns WHERE database = '" + server.database
                        + "' AND table = 'notes' AND name = 'note'")).as("%s: the old column", server)
                        .isEqualTo(server.isModern() ? "0" : "1");
            }
        }
    }

    /** numeric(8,2) to numeric(14,4): more integer and fraction digits, widened in place, the old values kept. */
    @Test
    void aDecimalGivenMoreDigitsIsWidenedInPlace(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE rates (id integer PRIMARY KEY, rate numeric(8,2))");
            st.execute("INSERT INTO rates VALUES (1, 123456.78)");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.rates"), Map.of())) {
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE rates ALTER COLUMN rate TYPE numeric(14,4)");
                st.execute("INSERT INTO rates VALUES (2, 123456789.1234)");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                assertThat(server.deadLetters).as("%s", server).isEmpty();
                assertThat(server.rows("SELECT toString(id), toString(rate) FROM " + server.table("rates_current")
                        + " ORDER BY id")).as("%s (by value: 26.x prints no trailing zeros)", server)
                        .extracting(r -> r[0] + "|" + new BigDecimal(r[1]).stripTrailingZeros()
                                .toPlainString())
                        .containsExactly("1|123456.78", "2|123456789.1234");
                assertThat(server.scalar("SELECT type FROM system.columns WHERE database = '" + server.database
                        + "' AND table = 'rates' AND name = 'rate'")).as("%s", server)
                        .isEqualTo("Nullable(Decimal(14, 4))");
            }
        }
    }

    /**
     * A renamed primary-key column cannot be followed (no ClickHouse renames a sorting-key column): written under a
     * new column, every later row would share one key and replace the others. Refused with the fix instead, the
     * rows written before untouched.
     */
    @Test
    void aRenamedKeyColumnIsRefusedBeforeRowsCouldReplaceEachOther(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE keyed (id integer PRIMARY KEY, v text)");
            st.execute("INSERT INTO keyed VALUES (1, 'one'), (2, 'two')");
        }
        List<SinkRecord> records = new ArrayList<>();
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.keyed"), Map.of())) {
            records.addAll(stream.take(2, Duration.ofSeconds(60)));
            // A change streamed before the rename: Debezium has read the table's columns and key for streaming by
            // then. A rename while it reads them (two queries) makes it stop with "ident is referenced as PRIMARY KEY,
            // but a matching column is not defined": Debezium's race, not the sink's, seen once in CI.
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE keyed SET v = 'one' WHERE id = 1");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("ALTER TABLE keyed RENAME COLUMN id TO ident");
                st.execute("INSERT INTO keyed VALUES (3, 'three'), (4, 'four')");
            }
            records.addAll(stream.take(2, Duration.ofSeconds(60)));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            for (SinkHarness server : List.of(legacy, modern)) {
                server.write(records, Map.of());
                assertThat(server.deadLetters).as("%s", server).hasSize(2);
                assertThat(server.deadLetters.get(0).reason().getMessage()).contains("[ident]")
                        .contains("not in the sorting key").contains("bin/cdc snapshot");
                assertThat(server.rows("SELECT toString(id), v FROM " + server.table("keyed_current") + " ORDER BY id"))
                        .as("%s", server).extracting(r -> String.join("|", r)).containsExactly("1|one", "2|two");
            }
        }
    }
}
