package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ReliabilityCase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterFileTest {

    private static final Schema SOURCE = SchemaBuilder.struct().field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA).build();

    /** A change of public.orders, as its envelope names it. */
    private static Struct ordersChange() {
        return new Struct(ENVELOPE).put("source", new Struct(SOURCE).put("schema", "public").put("table", "orders"))
                .put("op", "c");
    }

    @Test
    void recordsAreCountedPerSourceTableFromTheirEnvelopeElseTheirTopic(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("shop-clickhouse.jsonl");
        try (DeadLetterFile file = new DeadLetterFile(path)) {
            Struct routed = ordersChange();
            file.report(new SinkRecord("shop.public.all_orders", 0, null, null, ENVELOPE, routed, 1),
                    new DataException("refused"));
            file.report(new SinkRecord("shop.public.orders", 0, null, null, ENVELOPE, routed, 2),
                    new DataException("refused"));
            file.report(new SinkRecord("shop.public.customers", 0, null, null, null, null, 3),
                    new DataException("a tombstone refused"));
        }
        assertThat(DeadLetterFile.countsByTable(path)).isEqualTo(Map.of("public.orders", 2L, "public.customers", 1L));
        assertThat(DeadLetterFile.countsByTable(dir.resolve("none.jsonl"))).isEmpty();
    }

    /**
     * The file may hold the only copy of a refused record once the position moved past it: every line is forced to
     * the disk before report() returns (it was only flushed to the OS once, which a power cut can lose), and lines
     * appended by a replay too.
     */
    @Test
    void everyLineIsOnTheDiskBeforeReportReturns(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("shop-clickhouse.jsonl");
        try (DeadLetterFile file = new DeadLetterFile(path)) {
            Struct row = ordersChange();
            file.report(new SinkRecord("shop.public.orders", 0, null, null, ENVELOPE, row, 1),
                    new DataException("refused")).get();
            assertThat(file.synced()).isEqualTo(1);
            assertThat(Files.readAllLines(path)).hasSize(1);
            file.append(Files.readAllLines(path).get(0));
            assertThat(file.synced()).isEqualTo(2);
        }
        ReliabilityCase.defect("The runner's dead-letter file was flushed but not fsynced")
                .expected("every line forced to the disk before the append returns")
                .observed("one fsync per appended line (FileChannel.force)").record();
        assertThat(DeadLetterFile.countsByTable(path)).isEqualTo(Map.of("public.orders", 2L));
    }
}
