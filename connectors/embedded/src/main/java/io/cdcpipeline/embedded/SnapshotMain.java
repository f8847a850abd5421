package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.core.snapshot.SignalTable;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cdc snapshot --table schema.table [--where SQL]}: asks the running connector (embedded or on Connect)
 * for an incremental snapshot of a table, or of the rows a condition selects, through the signal table. The rows
 * reach every sink as snapshot reads: they fill what a copy lacks (a backfill) and never replace what it has.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Re-send a table's rows (or those --where selects) to every sink, while the pipeline runs.")
public final class SnapshotMain implements Callable<Integer> {

    @Option(names = "--config", description = "The pipeline file (as for bin/cdc run).")
    Path config;

    @Option(names = "--connect-configs", description = "A Connect deployment's connector files instead.")
    Path connectConfigs;

    @Option(names = "--table", required = true, description = "The source table, as schema.table.")
    String table;

    @Option(names = "--where", description = "An SQL condition on the table's columns, e.g. \"id BETWEEN 1 AND 500\".")
    String where;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SnapshotMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try {
            if ((config == null) == (connectConfigs == null)) {
                throw new ConfigException("give either --config FILE (a pipeline file) or --connect-configs DIR");
            }
            PipelineFile file = config != null ? PipelineFile.load(config)
                    : ConnectConfigs.load(connectConfigs, System.getenv());
            int dot = table.indexOf('.');
            if (dot <= 0 || dot == table.length() - 1) {
                throw new ConfigException("--table", table, "must be schema.table");
            }
            if (where != null && where.contains(";")) {
                throw new ConfigException("--where", where, "must be one condition, without ';'");
            }
            SignalTable signals = SignalTables.of(file.source(), "bin/cdc snapshot");
            try (Connection db = SourceDatabase.connect(file.source())) {
                String id = signals.executeSnapshot(db, new TableId(table.substring(0, dot), table.substring(dot + 1)),
                        where, "snapshot");
                System.out.println("asked for an incremental snapshot of " + table + (where == null ? "" : " where "
                        + where) + " (signal " + id + " in " + signals.name() + "); the runner's log shows its progress");
            }
            return 0;
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }
}
