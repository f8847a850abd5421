package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.embedded.position.PositionRefusedException;
import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.SidePostgres;
import io.cdcpipeline.testkit.StackEndpoints;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source server itself in a state that cannot stream, or that lost what the runner needs: wal_level not logical
 * (refused before anything starts, with the remedy), the slot invalidated by max_slot_wal_keep_size while the runner
 * was stopped (refused, the loss said out loud, and a new snapshot recovers), and the publication altered by hand
 * while the runner streams (the runner adds the table back and snapshots it, so the copies heal). The first two run
 * on a second Postgres of the stack with those server settings.
 */
@RealStack
class SourceServerFaultsIT {

    @Test
    void walLevelNotLogicalIsRefusedBeforeAnythingStarts(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        try (SidePostgres side = SidePostgres.start("replica-wal", 29433, "wal_level=replica")) {
            PipelineHarness h = onSideServer(stack, pg, ch, es, work, side);
            try (Connection c = connect(side); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL)");
            }
            assertThatThrownBy(h::start).isInstanceOf(SourceNotReadyException.class)
                    .hasMessageContaining("wal_level=replica")
                    .hasMessageContaining("ALTER SYSTEM SET wal_level = logical, restart Postgres");
            assertThat(h.offsetFile()).as("nothing written").doesNotExist();
            ReliabilityCase.fault("Source Postgres with wal_level=replica").mode("embedded")
                    .expected("refused before anything starts, naming the setting and the remedy")
                    .observed("'the source Postgres has wal_level=replica ... run ALTER SYSTEM SET wal_level = logical, "
                            + "restart Postgres ...'; no position file written").record();
        }
    }

    @Test
    void aSlotInvalidatedByItsWalLimitIsRefusedAndANewSnapshotRecovers(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        try (SidePostgres side = SidePostgres.start("wal-capped", 29434, "max_slot_wal_keep_size=1MB")) {
            PipelineHarness h = onSideServer(stack, pg, ch, es, work, side);
            try (Connection c = connect(side); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL)");
                st.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g");
            }
            try (EmbeddedPipeline pipeline = h.start()) {
                awaitClickHouse(h, ch, side);
                Thread.sleep(1_500); // past offset.flush.interval.ms: the streaming position is stored
                try (Connection c = connect(side); Statement st = c.createStatement()) {
                    st.execute("UPDATE customers SET email = 'streamed' WHERE id = 1");
                }
                awaitClickHouse(h, ch, side);
            }
            String slot = h.pipelineConfig().get("source.slot.name");
            try (Connection c = connect(side); Statement st = c.createStatement()) {
                st.execute("DELETE FROM customers WHERE id > 90");
                st.execute("CREATE TABLE filler (id integer, pad text)");
                for (int i = 0; i < 4 && !"lost".equals(walStatus(st, slot)); i++) {
                    st.execute("INSERT INTO filler SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, 40000) g");
                    st.execute("SELECT pg_switch_wal()");
                    st.execute("CHECKPOINT");
                }
                assertThat(walStatus(st, slot)).as("the slot after 1 MB of WAL past its limit").isEqualTo("lost");
            }
            assertThatThrownBy(h::start).isInstanceOf(PositionRefusedException.class)
                    .hasMessageContaining("was invalidated (wal_status lost)").hasMessageContaining("--resnapshot");
            try (EmbeddedPipeline pipeline = h.start(true)) {
                awaitClickHouse(h, ch, side);
                assertThat(pipeline.failure()).isNull();
            }
            ReliabilityCase.fault("Replication slot invalidated by max_slot_wal_keep_size while the runner was stopped")
                    .mode("embedded")
                    .expected("the start is refused, saying the changes are gone and that a new snapshot is needed; "
                            + "--resnapshot recovers, removing the rows deleted meanwhile")
                    .observed("refused with 'was invalidated (wal_status lost)' and --resnapshot; after it ClickHouse "
                            + "equals Postgres (the 10 rows deleted meanwhile removed)").rowsCompared(90).record();
        }
    }

    @Test
    void aTableDroppedFromThePublicationWhileStreamingIsAddedBackAndHealed(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work)
            throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.shopWithSignalTable();
        h.sql("INSERT INTO orders SELECT g, 1, 'new', g, timestamp '2026-01-01' FROM generate_series(1, 50) g");
        h.extraConfig.put(RunnerConfig.NEW_TABLES_CHECK_MS, "2000");
        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(120);
            String publication = h.pipelineConfig().get("source.publication.name");
            h.sql("ALTER PUBLICATION " + publication + " DROP TABLE orders",
                    "INSERT INTO orders VALUES (51, 1, 'while unpublished', 1, now())",
                    "UPDATE orders SET status = 'changed while unpublished' WHERE id = 2",
                    "DELETE FROM orders WHERE id = 3");
            // The snapshot of the table added back brings the insert and the sweep removes the delete; the update
            // (a row the copies have) takes bin/cdc validate --repair, as the runner's warning says.
            Await.until(() -> h.clickHouseRows("orders").stream().anyMatch(r -> r.get(0).equals("51"))
                    && h.clickHouseRows("orders").stream().noneMatch(r -> r.get(0).equals("3"))
                    && h.elasticsearchDocs("orders").containsKey("51") && !h.elasticsearchDocs("orders").containsKey("3"),
                    120, "the insert and the delete made while orders was out of the publication");
            assertThat(h.postgresRows("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + publication
                    + "' AND tablename = 'orders'").get(0).get(0)).as("orders back in the publication").isEqualTo("1");
            ValidateCommand repair = ValidateCommand.run(h.writeConfig(work.resolve("pipeline.properties")),
                    "--table", "public.orders", "--repair");
            assertThat(repair.output()).as("%s%s", repair.output(), repair.errors()).contains("repair: public.orders");
            h.sql("INSERT INTO orders VALUES (52, 1, 'after', 1, now())");
            long compared = h.awaitCopiesEqualSource(120);
            assertThat(pipeline.failure()).isNull();
            h.assertNoDeadLetters();
            ReliabilityCase.fault("A captured table dropped from the publication by hand while the runner streams")
                    .expected("the runner notices within new.tables.check.ms, adds the table back and snapshots it, "
                            + "which puts right rows inserted or deleted meanwhile, and says that updated rows need "
                            + "bin/cdc validate --repair")
                    .observed("orders back in the publication; the insert and the delete in both copies by the "
                            + "snapshot, the update by validate --repair; both copies equal Postgres, 0 dead letters")
                    .rowsCompared(compared).record();
        }
    }

    /** The harness's pipeline, reading the side server's postgres database, into ClickHouse only. */
    private static PipelineHarness onSideServer(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, Path work, SidePostgres side) {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        URI url = URI.create(side.jdbcUrl().substring("jdbc:".length()));
        h.extraConfig.put("sinks", "clickhouse");
        h.extraConfig.put("source.database.hostname", url.getHost());
        h.extraConfig.put("source.database.port", Integer.toString(url.getPort()));
        h.extraConfig.put("source.database.user", "postgres");
        h.extraConfig.put("source.database.dbname", "postgres");
        h.extraConfig.put("source.table.include.list", "public.customers");
        return h;
    }

    private static void awaitClickHouse(PipelineHarness h, ClickHouseTestDatabase ch, SidePostgres side)
            throws Exception {
        String expected;
        try (Connection c = connect(side); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) || ' ' || sum(id) || ' ' || "
                        + "sum(length(email)) FROM customers")) {
            rs.next();
            expected = rs.getString(1);
        }
        Await.until(() -> expected.equals(h.clickHouse("SELECT concat(toString(count()), ' ', toString(sum(id)), ' ', "
                + "toString(sum(length(email)))) FROM " + ch.name() + ".customers_current").trim()), 120,
                "ClickHouse customers equal the side server's (" + expected + ")");
    }

    private static String walStatus(Statement st, String slot) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot
                + "'")) {
            return rs.next() ? rs.getString(1) : "missing";
        }
    }

    private static Connection connect(SidePostgres side) throws Exception {
        return DriverManager.getConnection(side.jdbcUrl(), "postgres", "");
    }
}
