package io.cdcpipeline.embedded;

import io.cdcpipeline.core.ConfigDocs;
import io.cdcpipeline.core.ConfigDocs.Component;
import io.cdcpipeline.sink.clickhouse.ClickHouseSinkConfig;
import io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConfig;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector;
import io.cdcpipeline.transforms.CaptureNewTables;
import io.cdcpipeline.transforms.CdcFilter;
import io.cdcpipeline.transforms.CdcNormalize;
import io.cdcpipeline.transforms.CdcRoute;
import io.cdcpipeline.transforms.ChangeCloudEvents;
import io.cdcpipeline.transforms.ChangeMatches;
import io.cdcpipeline.transforms.OutboxEvents;
import io.cdcpipeline.transforms.ProtectPii;
import io.cdcpipeline.transforms.SchemaChangeSignal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes {@code docs/configuration.md}, the settings of both sinks, every transform and the embedded runner, from
 * their {@code ConfigDef}s ({@code bin/cdc docs}); {@code ConfigurationDocsTest} fails when the file and the code
 * differ.
 */
public final class ConfigurationDocs {

    public static final String FILE = "docs/configuration.md";

    private ConfigurationDocs() {
    }

    public static List<Component> components() {
        return List.of(
                new Component("ClickHouse sink", ClickHouseSinkConnector.class.getName(),
                        "writes changes as versioned rows into ReplacingMergeTree tables (docs/clickhouse-sink.md).",
                        ClickHouseSinkConfig.CONFIG_DEF),
                new Component("Elasticsearch sink", ElasticsearchSinkConnector.class.getName(),
                        "writes changes as externally versioned documents behind one alias per table "
                                + "(docs/elasticsearch-sink.md).",
                        ElasticsearchSinkConfig.CONFIG_DEF),
                new Component("Embedded runner", RunnerConfig.class.getName(),
                        "the runner's own settings in a pipeline file (connect-configs/embedded/template.properties); "
                                + "the source, sinks and transforms take theirs under their prefixes.",
                        RunnerConfig.CONFIG_DEF),
                new Component("CdcNormalize", CdcNormalize.class.getName(), CdcNormalize.OVERVIEW_DOC,
                        new CdcNormalize<SinkRecord>().config()),
                new Component("CdcRoute", CdcRoute.class.getName(), CdcRoute.OVERVIEW_DOC,
                        new CdcRoute<SinkRecord>().config()),
                new Component("CdcFilter", CdcFilter.class.getName(), CdcFilter.OVERVIEW_DOC,
                        new CdcFilter<SinkRecord>().config()),
                new Component("ProtectPii", ProtectPii.class.getName() + "$Key / $Value", ProtectPii.OVERVIEW_DOC,
                        new ProtectPii<SinkRecord>().config()),
                new Component("SchemaChangeSignal", SchemaChangeSignal.class.getName(),
                        SchemaChangeSignal.OVERVIEW_DOC, new SchemaChangeSignal<SinkRecord>().config()),
                new Component("CaptureNewTables", CaptureNewTables.class.getName(), CaptureNewTables.OVERVIEW_DOC,
                        CaptureNewTables.CONFIG_DEF),
                new Component("OutboxEvents", OutboxEvents.class.getName(), OutboxEvents.OVERVIEW_DOC,
                        new OutboxEvents<SinkRecord>().config()),
                new Component("ChangeCloudEvents", ChangeCloudEvents.class.getName(), ChangeCloudEvents.OVERVIEW_DOC,
                        new ChangeCloudEvents<SinkRecord>().config()),
                new Component("ChangeMatches (predicate)", ChangeMatches.class.getName(),
                        "a predicate that is true for the changes its condition matches, for any transform's "
                                + "'predicate' setting.",
                        new ChangeMatches<SinkRecord>().config()));
    }

    public static String markdown() {
        return ConfigDocs.markdown("Configuration reference",
                "Generated from the code's `ConfigDef`s by `bin/cdc docs`; `ConfigurationDocsTest` fails when they "
                        + "differ, so this page is what the code accepts. Settings the runner passes on to Debezium are "
                        + "Debezium's own (see its Postgres connector documentation).",
                components());
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : FILE);
        Files.writeString(file, markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + file);
    }
}
