package io.cdcpipeline.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The transforms benchmark's table, {@code people}, with personal data to protect and a tenant to route by: its DDL
 * for the pipeline run, change records shaped as Debezium's Postgres connector sends them for the JMH run, and the
 * transform chain both runs use.
 */
final class PeopleChanges {

    static final String DDL = "CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL, name text, born date, "
            + "tenant text NOT NULL, total numeric(12,2), updated_at timestamptz)";

    /** Inserts rows {@code from..to} (inclusive) in one statement. */
    static String insert(long from, long to) {
        return "INSERT INTO people SELECT g, 'user' || g || '@example.com', 'Person ' || g, "
                + "date '1970-01-02' + (g % 15000)::int, CASE WHEN g % 3 = 0 THEN 'globex' ELSE 'acme' END, "
                + "(g % 100000) / 100.0, now() FROM generate_series(" + from + ", " + to + ") g";
    }

    /** {@code updates} single-row update transactions spread over rows 1 to {@code tableRows}, as one statement. */
    static String backlog(int updates, int tableRows) {
        return "DO $$ BEGIN FOR i IN 1.." + updates + " LOOP UPDATE people SET total = total + 0.01, "
                + "updated_at = now() WHERE id = 1 + i % " + tableRows + "; COMMIT; END LOOP; END $$";
    }

    /** The chain under test, as a sink's Connect config (keys under {@code transforms}). */
    static Map<String, String> chainConfig(String hashKey) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("transforms", "pii,filter,route,signal");
        c.put("transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
        c.put("transforms.pii.classification", "public.people.email=restricted,public.people.born=confidential");
        c.put("transforms.pii.labels", "restricted=hash,confidential=generalise:year");
        c.put("transforms.pii.columns", "public.people.name=truncate:1");
        c.put("transforms.pii.hash.key", hashKey);
        c.put("transforms.filter.type", "io.cdcpipeline.transforms.CdcFilter");
        c.put("transforms.filter.condition", "op != 'd' and total >= 0");
        c.put("transforms.route.type", "io.cdcpipeline.transforms.CdcRoute");
        c.put("transforms.route.table.regex", "public\\.people");
        c.put("transforms.route.target.table", "${tenant}_people");
        c.put("transforms.route.tenant.column", "tenant");
        c.put("transforms.signal.type", "io.cdcpipeline.transforms.SchemaChangeSignal");
        return c;
    }

    static final Schema KEY = SchemaBuilder.struct().name("bench.public.people.Key").field("id", Schema.INT64_SCHEMA)
            .build();
    static final Schema ROW = SchemaBuilder.struct().name("bench.public.people.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("born", SchemaBuilder.int32().name("io.debezium.time.Date").version(1).optional().build())
            .field("tenant", Schema.STRING_SCHEMA)
            .field("total", Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
            .field("updated_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").version(1).optional()
                    .build())
            .build();
    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", SchemaBuilder.string().optional().build())
            .field("db", Schema.STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    static final Schema ENVELOPE = SchemaBuilder.struct().name("bench.public.people.Envelope")
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    static List<SinkRecord> records(int count, long seed) {
        Random random = new Random(seed);
        List<SinkRecord> records = new ArrayList<>(count);
        long commitUs = 1_790_000_000_000_000L;
        for (int i = 1; i <= count; i++) {
            Struct after = new Struct(ROW)
                    .put("id", (long) i)
                    .put("email", "user" + i + "@example.com")
                    .put("name", "Person " + i)
                    .put("born", random.nextInt(15_000) + 1)
                    .put("tenant", i % 3 == 0 ? "globex" : "acme")
                    .put("total", BigDecimal.valueOf(random.nextInt(10_000_000), 2))
                    .put("updated_at", "2026-11-22T10:00:00." + String.format("%06d", random.nextInt(1_000_000)) + "Z");
            commitUs += 1_000;
            Struct source = new Struct(SOURCE).put("version", "3.6.3.Final").put("connector", "postgresql")
                    .put("name", "bench").put("ts_ms", commitUs / 1000).put("snapshot", "false").put("db", "bench")
                    .put("schema", "public").put("table", "people").put("txId", 1000L + i).put("lsn", 40_000_000L + i * 96L)
                    .put("ts_us", commitUs);
            Struct value = new Struct(ENVELOPE).put("after", after).put("source", source).put("op", "c")
                    .put("ts_ms", commitUs / 1000 + 3);
            records.add(new SinkRecord("bench.public.people", 0, KEY, new Struct(KEY).put("id", (long) i), ENVELOPE,
                    value, i - 1));
        }
        return records;
    }

    private PeopleChanges() {
    }
}
