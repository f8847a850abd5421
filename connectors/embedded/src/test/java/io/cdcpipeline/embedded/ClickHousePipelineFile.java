package io.cdcpipeline.embedded;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.DebeziumSourceConfig;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A pipeline file for a test: the test database's tables into one ClickHouse sink, positions stored often. */
final class ClickHousePipelineFile {

    private ClickHousePipelineFile() {
    }

    /** Writes it under {@code work} with {@code extra} settings added, and loads it. */
    static PipelineFile write(StackEndpoints stack, PostgresTestDatabase pg, ClickHouseTestDatabase ch, Path work,
            String name, List<String> tables, Map<String, String> extra) throws Exception {
        Properties props = new Properties();
        props.put("name", name);
        props.put("offset.storage.file", work.resolve("offsets.dat").toString());
        props.put("offset.flush.interval.ms", "500");
        props.put("dead.letter.dir", work.resolve("dead-letters").toString());
        DebeziumSourceConfig.of(stack, pg, pg.name(), tables).forEach((k, v) -> props.put("source." + k, v));
        props.put("sinks", "clickhouse");
        props.put("sink.clickhouse.connector.class", "io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector");
        props.put("sink.clickhouse.clickhouse.url", ch.url());
        props.put("sink.clickhouse.clickhouse.database", ch.name());
        props.putAll(extra);
        Path file = work.resolve("pipeline.properties");
        try (Writer out = Files.newBufferedWriter(file)) {
            props.store(out, null);
        }
        return PipelineFile.load(file);
    }
}
