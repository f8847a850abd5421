package io.cdcpipeline.bench;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Change records of a typical orders table, shaped as Debezium's Postgres connector sends them (envelope with a
 * source block, numeric as Connect Decimal, timestamptz as ZonedTimestamp text), plus the same rows as plain typed
 * values for the raw-insert baseline. Deterministic for a seed.
 */
final class OrderChanges {

    static final String[] STATUSES = {"new", "paid", "shipped", "delivered", "cancelled"};

    static final Schema KEY = SchemaBuilder.struct().name("bench.public.orders.Key")
            .field("id", Schema.INT64_SCHEMA).build();
    static final Schema ROW = SchemaBuilder.struct().name("bench.public.orders.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("customer_id", Schema.INT32_SCHEMA)
            .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "12").build())
            .field("status", Schema.STRING_SCHEMA)
            .field("note", SchemaBuilder.string().optional().build())
            .field("created_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
            .build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("lsn", SchemaBuilder.int64().optional().build())
            .field("txId", SchemaBuilder.int64().optional().build())
            .field("ts_us", SchemaBuilder.int64().optional().build())
            .build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("bench.public.orders.Envelope")
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .build();

    /** One row as plain values: id, customer_id, amount, status, note, created_at, lsn, commit time. */
    record Row(long id, int customerId, BigDecimal amount, String status, String note, Instant createdAt, long lsn,
            Instant committed) {
    }

    static List<Row> rows(int count, long seed) {
        Random random = new Random(seed);
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant created = base.plus(random.nextInt(300 * 24 * 3600), ChronoUnit.SECONDS)
                    .plusNanos(random.nextInt(1_000_000) * 1_000L);
            rows.add(new Row(i + 1, random.nextInt(100_000), BigDecimal.valueOf(random.nextInt(10_000_000), 2),
                    STATUSES[random.nextInt(STATUSES.length)], random.nextInt(4) == 0 ? null : "note " + random.nextLong(),
                    created, 1_000_000L + i * 64L, created.plusMillis(5)));
        }
        return rows;
    }

    static List<SinkRecord> records(List<Row> rows, String topic) {
        List<SinkRecord> records = new ArrayList<>(rows.size());
        long offset = 0;
        for (Row row : rows) {
            Struct after = new Struct(ROW)
                    .put("id", row.id())
                    .put("customer_id", row.customerId())
                    .put("amount", row.amount())
                    .put("status", row.status())
                    .put("note", row.note())
                    .put("created_at", row.createdAt().toString());
            Instant committed = row.committed();
            Struct source = new Struct(SOURCE)
                    .put("schema", "public")
                    .put("table", "orders")
                    .put("lsn", row.lsn())
                    .put("txId", row.id())
                    .put("ts_us", committed.getEpochSecond() * 1_000_000L + committed.getNano() / 1_000);
            Struct value = new Struct(ENVELOPE).put("after", after).put("source", source).put("op", "c");
            records.add(new SinkRecord(topic, 0, KEY, new Struct(KEY).put("id", row.id()), ENVELOPE, value, offset++,
                    committed.toEpochMilli(), TimestampType.CREATE_TIME));
        }
        return records;
    }

    private OrderChanges() {
    }
}
