package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.embedded.position.PositionRefusedException;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job end to end on real servers: Postgres through the embedded engine into ClickHouse and Elasticsearch. */
@RealStack
class PipelineIT {

    @Test
    void snapshotAndStreamedChangesReachBothSinksThenAFreshReplayChangesNothing(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work)
            throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.sql(PipelineHarness.SCHEMA);
        // Rows that exist before the pipeline first starts arrive through the initial snapshot.
        h.sql("INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada', 10.50, true, '1990-12-10', '2026-01-02 03:04:05.123456+00'),"
                        + " (2, 'bob@example.com', NULL, NULL, false, NULL, NULL)",
                "INSERT INTO orders VALUES (10, 1, 'new', 99.90, '2026-03-04 05:06:07.5')",
                "INSERT INTO order_items VALUES (10, 1, 'sku-1', 2), (10, 2, 'sku-2', 1)");

        try (EmbeddedPipeline pipeline = h.start()) {
            h.awaitCopiesEqualSource(90);

            // Several updates of one row inside one transaction: the last one must win everywhere.
            h.transaction("UPDATE customers SET name = 'Ada L.' WHERE id = 1",
                    "UPDATE customers SET balance = 11.75 WHERE id = 1",
                    "UPDATE customers SET name = 'Ada Lovelace', updated_at = '2026-05-06 07:08:09.000001+00' WHERE id = 1");
            // A delete followed by a re-insert of the same key, in two transactions and in one.
            h.sql("DELETE FROM customers WHERE id = 2");
            h.sql("INSERT INTO customers VALUES (2, 'bob2@example.com', 'Bob', 1.00, true, '2000-01-01', now())");
            h.transaction("DELETE FROM order_items WHERE order_id = 10 AND line = 2",
                    "INSERT INTO order_items VALUES (10, 2, 'sku-2b', 5)");
            // A plain delete that stays deleted.
            h.sql("DELETE FROM order_items WHERE order_id = 10 AND line = 1");
            // A large transaction.
            h.transaction("INSERT INTO orders SELECT g, 1 + g % 2, 'bulk', g * 1.25, timestamp '2026-01-01' + g * interval '1 second' "
                            + "FROM generate_series(1000, 3999) g",
                    "INSERT INTO order_items SELECT g, l, 'sku-' || l, l FROM generate_series(1000, 1999) g, generate_series(1, 2) l",
                    "UPDATE orders SET status = 'paid' WHERE id % 3 = 0");
            long compared = h.awaitCopiesEqualSource(120);
            assertThat(pipeline.failure()).isNull();
            assertThat(pipeline.deadLettered()).containsEntry("clickhouse", 0L).containsEntry("elasticsearch", 0L);
            ReliabilityCase.badInput("Same key deleted and re-inserted (in one transaction and in two); several "
                            + "updates of one row in one transaction")
                    .expected("the last version wins in both copies; a deleted row stays deleted")
                    .observed("both copies equal Postgres, 0 dead letters").rowsCompared(compared).record();
            assertClickHouseSinkMetricsOverJmx(ch.name());
        }

        // Wipe the offsets: with the slot still there the runner refuses to start on its own; asked for a new
        // snapshot it takes one and replays what the slot still holds. Versions make every older write lose, so the
        // copies stay equal to the source.
        Files.delete(h.offsetFile());
        h.sql("UPDATE customers SET email = 'ada@lovelace.org' WHERE id = 1");
        assertThatThrownBy(h::start).isInstanceOf(PositionRefusedException.class)
                .hasMessageContaining("no stored position, but replication slot").hasMessageContaining("--resnapshot");
        try (EmbeddedPipeline pipeline = h.start(true)) {
            long compared = h.awaitCopiesEqualSource(120);
            assertThat(pipeline.eventsDelivered()).as("the snapshot was taken again").isGreaterThanOrEqualTo(3000);
            assertThat(pipeline.failure()).isNull();
            ReliabilityCase.fault("Whole stream replayed (new snapshot plus the slot's changes) over full copies")
                    .expected("versions make every older write lose: the copies stay equal to Postgres")
                    .observed(pipeline.eventsDelivered() + " events replayed; both copies equal Postgres")
                    .rowsCompared(compared).record();
        }
    }

    /** The sink's metrics are on the platform MBean server, where a JMX exporter or the lag monitor reads them. */
    private static void assertClickHouseSinkMetricsOverJmx(String database) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName task = server.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null).stream()
                .filter(n -> n.getKeyProperty("connector").endsWith("-clickhouse") && n.getKeyProperty("table") == null
                        && n.getKeyProperty("task") != null)
                .findFirst().orElseThrow(() -> new AssertionError("no ClickHouse sink task MBean"));
        assertThat(((Number) server.getAttribute(task, "records-written-total")).doubleValue()).isGreaterThan(3000);
        ObjectName orders = new ObjectName(task + ",table=" + database + ".orders");
        long watermark = ((Number) server.getAttribute(orders, "table-source-watermark-ms")).longValue();
        assertThat(watermark).as("newest source commit applied to orders")
                .isBetween(System.currentTimeMillis() - 600_000, System.currentTimeMillis());
    }
}
