package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.testkit.ChdbEngine;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.TestNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The sink's change-event writer against one real ClickHouse: the stack's 18.16 server over HTTP (legacy dialect)
 * or the 26.x engine of chdb (modern dialect), in a database of the test's own. Dead letters are kept for asserts.
 */
final class SinkHarness implements AutoCloseable {

    enum Server { LEGACY_HTTP, MODERN_CHDB }

    record DeadLetter(SinkRecord record, Throwable reason) {
    }

    final Server server;
    final String database;
    final ClickHouseConnection connection;
    final List<DeadLetter> deadLetters = new ArrayList<>();
    /** The metrics of the last writer {@link #sink} made. */
    ClickHouseSinkMetrics metrics;
    private final ClickHouseTestDatabase legacyDatabase;
    private final Map<String, String> baseConfig = new HashMap<>();

    private SinkHarness(Server server, String database, ClickHouseConnection connection,
            ClickHouseTestDatabase legacyDatabase) {
        this.server = server;
        this.database = database;
        this.connection = connection;
        this.legacyDatabase = legacyDatabase;
        baseConfig.put(ClickHouseSinkConfig.DATABASE, database);
        baseConfig.put(ClickHouseSinkConfig.RETRY_BACKOFF_MS, "50");
        baseConfig.put(ClickHouseSinkConfig.RETRY_BACKOFF_MAX_MS, "500");
    }

    static SinkHarness legacy(ClickHouseTestDatabase database) {
        Map<String, String> props = Map.of(ClickHouseSinkConfig.URL, database.url(), ClickHouseSinkConfig.DATABASE,
                database.name());
        ClickHouseConnection connection = ClickHouseConnection.open(new ClickHouseSinkConfig(props));
        SinkHarness harness = new SinkHarness(Server.LEGACY_HTTP, database.name(), connection, database);
        harness.baseConfig.put(ClickHouseSinkConfig.URL, database.url());
        return harness;
    }

    static SinkHarness modern() {
        ChdbConnection connection = new ChdbConnection(ChdbEngine.shared());
        String database = TestNames.unique("it");
        connection.execute("CREATE DATABASE " + database);
        return new SinkHarness(Server.MODERN_CHDB, database, connection, null);
    }

    /** The config of {@link #sink} without overrides. */
    ClickHouseSinkConfig config() {
        return new ClickHouseSinkConfig(baseConfig);
    }

    /** A writer with the harness's database and fast retries, plus {@code overrides}. */
    ClickHouseChangeSink sink(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(baseConfig);
        props.putAll(overrides);
        metrics = new ClickHouseSinkMetrics(null);
        return new ClickHouseChangeSink(connection, new ClickHouseSinkConfig(props),
                (record, reason) -> deadLetters.add(new DeadLetter(record, reason)), metrics);
    }

    /** Writes the records through a fresh writer and commits; returns the offsets it acknowledged. */
    Map<TopicPartition, OffsetAndMetadata> write(Collection<SinkRecord> records, Map<String, String> overrides) {
        ClickHouseChangeSink sink = sink(overrides);
        sink.put(records);
        Map<TopicPartition, OffsetAndMetadata> current = new HashMap<>();
        for (SinkRecord record : records) {
            current.merge(new TopicPartition(record.topic(), record.kafkaPartition()),
                    new OffsetAndMetadata(record.kafkaOffset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        return sink.preCommit(current);
    }

    /** Rows of a query, as TabSeparated cells (NULL as \N). */
    List<String[]> rows(String sql) {
        return connection.queryRows(sql + " FORMAT TabSeparated");
    }

    String scalar(String sql) {
        List<String[]> rows = rows(sql);
        return rows.isEmpty() ? null : rows.get(0)[0];
    }

    String table(String name) {
        return "`" + database + "`.`" + name + "`";
    }

    boolean isModern() {
        return server == Server.MODERN_CHDB;
    }

    @Override
    public void close() {
        if (legacyDatabase != null) {
            connection.close();
            legacyDatabase.close();
        } else {
            connection.execute("DROP DATABASE IF EXISTS " + database);
        }
    }

    @Override
    public String toString() {
        return server.name();
    }
}
