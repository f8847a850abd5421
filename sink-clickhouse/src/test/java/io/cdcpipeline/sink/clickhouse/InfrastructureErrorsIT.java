package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.sink.TargetUnavailableException;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumChangeStream;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.TestNames;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * Errors of the server or the account, not of a record (a missing database, a read-only user, a refused login), on
 * the stack's ClickHouse 18.16: the sink pauses with the setting and the fix named, nothing is dead-lettered, and
 * once the cause is fixed every row lands.
 */
@RealStack
class InfrastructureErrorsIT {

    private static List<SinkRecord> capture(StackEndpoints stack, PostgresTestDatabase pg) throws Exception {
        try (Connection conn = pg.connect(); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 20) g");
        }
        try (DebeziumChangeStream stream = new DebeziumChangeStream(pg, stack, List.of("public.accounts"), Map.of())) {
            return stream.take(20, Duration.ofSeconds(60));
        }
    }

    @Test
    void aMissingDatabasePausesTheSinkUntilItIsCreated(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        String missing = TestNames.unique("nodb");
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            Map<String, String> elsewhere = Map.of(ClickHouseSinkConfig.DATABASE, missing);
            assertThatThrownBy(() -> legacy.write(records, elsewhere))
                    .isInstanceOf(TargetUnavailableException.class)
                    .hasMessageContaining("ClickHouse error 81")
                    .hasMessageContaining("clickhouse.database does not exist")
                    .hasMessageContaining("auto.create.database=true")
                    .hasMessageContaining("none is dead-lettered");
            assertThat(legacy.deadLetters).isEmpty();

            legacy.connection.execute("CREATE DATABASE " + missing);
            try {
                Map<TopicPartition, OffsetAndMetadata> acknowledged = legacy.write(records, elsewhere);
                assertThat(acknowledged.values()).extracting(OffsetAndMetadata::offset).containsExactly(20L);
                assertThat(legacy.scalar("SELECT count() FROM `" + missing + "`.accounts_current")).isEqualTo("20");
                assertThat(legacy.deadLetters).isEmpty();
                ReliabilityCase.fault("ClickHouse database missing (sink task)").mode("Connect")
                        .expected("an infrastructure error, not a record error: the sink pauses naming "
                                + "clickhouse.database and the fix; nothing dead-lettered; once created, every row lands")
                        .observed("paused with 'ClickHouse error 81 ... clickhouse.database does not exist ... "
                                + "auto.create.database=true ... none is dead-lettered'; 20 of 20 rows after CREATE DATABASE")
                        .rowsCompared(20).record();
            } finally {
                legacy.connection.execute("DROP DATABASE IF EXISTS " + missing);
            }
        }
    }

    @Test
    void autoCreateDatabaseCreatesAMissingOne(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch)
            throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        String missing = TestNames.unique("autodb");
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            try {
                legacy.write(records, Map.of(ClickHouseSinkConfig.DATABASE, missing,
                        ClickHouseSinkConfig.AUTO_CREATE_DATABASE, "true"));
                assertThat(legacy.scalar("SELECT count() FROM `" + missing + "`.accounts_current")).isEqualTo("20");
                assertThat(legacy.deadLetters).isEmpty();
            } finally {
                legacy.connection.execute("DROP DATABASE IF EXISTS " + missing);
            }
        }
    }

    @Test
    void aReadOnlyUserPausesTheSinkAndKeepsEveryRowBuffered(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch) throws Exception {
        List<SinkRecord> records = capture(stack, pg);
        try (SinkHarness legacy = SinkHarness.legacy(ch)) {
            legacy.write(records.subList(0, 5), Map.of()); // the table exists; the user may still not write
            // Batches of 10 rows: the 15 rows below fill one, whose insert is refused, so they all stay buffered.
            ClickHouseSinkConfig reader = new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.URL, ch.url(),
                    ClickHouseSinkConfig.DATABASE, ch.name(), ClickHouseSinkConfig.USER, "cdc_readonly",
                    ClickHouseSinkConfig.BATCH_MAX_ROWS, "10", ClickHouseSinkConfig.RETRY_BACKOFF_MS, "50"));
            ClickHouseConnection readOnly = ClickHouseConnection.open(reader);
            ClickHouseChangeSink sink = new ClickHouseChangeSink(readOnly, reader,
                    (record, reason) -> legacy.deadLetters.add(new SinkHarness.DeadLetter(record, reason)),
                    new ClickHouseSinkMetrics(null));
            sink.put(records.subList(5, 20));
            Map<TopicPartition, OffsetAndMetadata> offered = Map.of(new TopicPartition(records.get(0).topic(),
                    records.get(0).kafkaPartition()), new OffsetAndMetadata(records.get(19).kafkaOffset() + 1));
            assertThat(sink.preCommit(offered)).as("nothing written, nothing acknowledged").isEmpty();
            // The next batch finds the buffer full: the sink pauses, giving the batch back.
            assertThatThrownBy(() -> sink.put(records.subList(5, 20)))
                    .isInstanceOf(TargetUnavailableException.class)
                    .hasMessageContaining("ClickHouse error 164").hasMessageContaining("read-only");
            assertThat(legacy.deadLetters).isEmpty();
            assertThat(legacy.scalar("SELECT count() FROM " + legacy.table("accounts_current"))).isEqualTo("5");
            readOnly.close();
            ReliabilityCase.fault("ClickHouse user without write rights (read-only)").mode("both")
                    .expected("the sink pauses with the server's reason, keeps every row buffered, acknowledges "
                            + "nothing, dead-letters nothing")
                    .observed("'ClickHouse error 164 ... read-only'; 0 offsets acknowledged, 0 dead letters")
                    .record();
        }
    }

    @Test
    void aRefusedLoginStopsTheTaskAtStartNamingTheSetting(ClickHouseTestDatabase ch) {
        Map<String, String> props = new HashMap<>(Map.of(ClickHouseSinkConfig.URL, ch.url(),
                ClickHouseSinkConfig.DATABASE, ch.name(), ClickHouseSinkConfig.USER, "cdc_locked",
                ClickHouseSinkConfig.PASSWORD, "not-the-password"));
        ClickHouseSinkTask task = new ClickHouseSinkTask();
        assertThatThrownBy(() -> task.start(props)).isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("ClickHouse error 193").hasMessageContaining("check clickhouse.password");
        props.put(ClickHouseSinkConfig.USER, "nobody_here");
        assertThatThrownBy(() -> new ClickHouseSinkTask().start(props)).isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("ClickHouse error 192").hasMessageContaining("check clickhouse.user");
        props.put(ClickHouseSinkConfig.USER, "cdc_locked");
        props.put(ClickHouseSinkConfig.PASSWORD, "cdc-locked-secret");
        ClickHouseSinkTask started = new ClickHouseSinkTask();
        started.start(props);
        started.stop();
        ReliabilityCase.fault("ClickHouse login refused (wrong password, unknown user)").mode("both")
                .expected("the task stops at start naming the setting to check; nothing dead-lettered")
                .observed("'ClickHouse error 193 ... check clickhouse.password', 'ClickHouse error 192 ... check "
                        + "clickhouse.user'; the right password starts")
                .record();
    }
}
