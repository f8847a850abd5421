package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * A key column that may be NULL (a table keyed with Debezium's message.key.columns on a nullable column): modern
 * servers keep NULL as a key of its own (Nullable sorting key, allow_nullable_key); 18.16 allows no Nullable key,
 * so there the NULL key is stored as the type's default, as documented.
 */
@RealStack
class NullableKeyIT {

    @Test
    void nullableKeyColumns(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE tags (code text, n integer NOT NULL)");
            st.execute("ALTER TABLE tags REPLICA IDENTITY FULL");
            st.execute("INSERT INTO tags VALUES ('a', 1), (NULL, 1)");
        }
        List<SinkRecord> records;
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.tags"),
                Map.of("message.key.columns", "public.tags:code"))) {
            records = new ArrayList<>(stream.take(2, Duration.ofSeconds(60)));
            try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
                st.execute("UPDATE tags SET n = 2 WHERE code IS NULL");
            }
            records.addAll(stream.take(1, Duration.ofSeconds(60)));
        }
        try (SinkHarness legacy = SinkHarness.legacy(ch); SinkHarness modern = SinkHarness.modern()) {
            modern.write(records, Map.of());
            assertThat(modern.deadLetters).isEmpty();
            assertThat(modern.scalar("SELECT type FROM system.columns WHERE database = '" + modern.database
                    + "' AND table = 'tags' AND name = 'code'")).isEqualTo("Nullable(String)");
            assertThat(modern.rows("SELECT ifNull(code, 'NULL'), n FROM " + modern.table("tags_current") + " ORDER BY code"))
                    .extracting(r -> String.join("|", r)).containsExactly("a|1", "NULL|2");

            legacy.write(records, Map.of());
            assertThat(legacy.deadLetters).isEmpty();
            assertThat(legacy.scalar("SELECT type FROM system.columns WHERE database = '" + legacy.database
                    + "' AND table = 'tags' AND name = 'code'")).isEqualTo("String");
            assertThat(legacy.rows("SELECT code, n FROM " + legacy.table("tags_current") + " ORDER BY code"))
                    .extracting(r -> String.join("|", r)).containsExactly("|2", "a|1");
        }
    }
}
