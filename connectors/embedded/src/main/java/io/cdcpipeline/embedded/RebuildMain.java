package io.cdcpipeline.embedded;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.core.snapshot.SignalTable;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector;
import io.cdcpipeline.sink.elasticsearch.IndexRebuild;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cdc rebuild --config FILE --table schema.table}: rebuilds a table's Elasticsearch index with no
 * downtime while the pipeline runs. A new index version is created behind a rebuild alias (the running sink joins
 * it and writes every live change there too), Debezium is asked for an incremental snapshot of the table through
 * the signal table, and once the new index holds as many documents as Postgres has rows the alias moves to it in
 * one atomic step. Searches keep using the old index until then. There is no {@code _reindex} here, and a rebuild
 * from the source of truth is the better kind anyway.
 */
@Command(name = "rebuild", mixinStandardHelpOptions = true,
        description = "Rebuild a table's Elasticsearch index from a fresh snapshot and swap its alias, with no downtime.")
public final class RebuildMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RebuildMain.class);

    @Option(names = "--config", required = true, description = "The pipeline file the running pipeline uses.")
    Path config;

    @Option(names = "--table", required = true, description = "The source table, as schema.table.")
    String table;

    @Option(names = "--sink", defaultValue = "elasticsearch", description = "The Elasticsearch sink's name in the file.")
    String sink;

    @Option(names = "--timeout-seconds", defaultValue = "3600", description = "Give up (and drop the new index) after this long.")
    long timeoutSeconds;

    @Option(names = "--delete-old", description = "Delete the old index version after the swap.")
    boolean deleteOld;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RebuildMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try {
            rebuild(PipelineFile.load(config), sink, table, Duration.ofSeconds(timeoutSeconds), deleteOld);
            return 0;
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    /** Runs a whole rebuild; returns the new index's name. */
    static String rebuild(PipelineFile file, String sinkName, String tableName, Duration timeout, boolean deleteOld)
            throws Exception {
        Map<String, String> sinkConfig = file.sinks().get(sinkName);
        if (sinkConfig == null || !ElasticsearchSinkConnector.class.getName().equals(sinkConfig.get("connector.class"))) {
            throw new ConfigException("--sink", sinkName, "names no Elasticsearch sink in the pipeline file");
        }
        int dot = tableName.indexOf('.');
        if (dot <= 0) {
            throw new ConfigException("--table", tableName, "must be schema.table");
        }
        TableId table = new TableId(tableName.substring(0, dot), tableName.substring(dot + 1));
        Map<String, String> source = file.source();
        SignalTable signalTable = SignalTables.of(source, "a rebuild");
        try (IndexRebuild rebuild = new IndexRebuild(sinkConfig, table);
                Connection db = SourceDatabase.connect(source)) {
            String index = rebuild.start(table);
            try {
                // Running sinks look for the rebuild alias every few seconds: every change from now on reaches both.
                Thread.sleep(2 * IndexRebuild.CHECK_INTERVAL_MS + 500);
                String snapshot = signalTable.executeSnapshot(db, table, null, "rebuild");
                LOG.info("Asked Debezium for an incremental snapshot of {} (signal {} in {})", table, snapshot,
                        signalTable.name());
                awaitComplete(rebuild, db, table, snapshot, timeout);
                rebuild.swap(deleteOld);
                return index;
            } catch (Exception e) {
                LOG.error("Rebuild of {} failed, dropping {}: {}", rebuild.alias(), index, e.getMessage());
                rebuild.abort();
                throw e;
            }
        }
    }

    /**
     * Waits until the running sink says that the snapshot asked for is written into the new index, or, should no sink
     * say so (one that does not pass notifications on), until the new index holds as many documents as the old one
     * (both get every live write) or as the table has rows (the old index may hold strays the rebuild is there to
     * drop) at two looks in a row. Counts alone rarely meet while the table takes writes: the two indices, and their
     * shard copies, are refreshed at different moments.
     */
    private static void awaitComplete(IndexRebuild rebuild, Connection db, TableId table, String snapshot,
            Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int equalInARow = 0;
        while (equalInARow < 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the new index did not catch up within " + timeout
                        + ": no sink said that the snapshot " + snapshot + " is written (is the pipeline running?), "
                        + "and its document count did not reach the old index's");
            }
            Thread.sleep(1_000);
            Map<String, String> written = rebuild.scanWritten();
            if (written != null && snapshot.equals(written.get("snapshot"))) {
                String status = written.get("status");
                if (!"SUCCEEDED".equals(status) && !"EMPTY".equals(status)) {
                    throw new IllegalStateException("Debezium did not read the whole of " + table + " (scan status "
                            + status + "; its log says why): the alias stays on the old index");
                }
                LOG.info("Rebuilding {}: the sink wrote the whole snapshot ({})", rebuild.alias(), status);
                return;
            }
            long rows = new SourceKeys(db).count(table);
            long[] counts = rebuild.counts();
            LOG.info("Rebuilding {}: {} documents in the new index, {} in the old, {} rows in {}", rebuild.alias(),
                    counts[1], counts[0], rows, table);
            equalInARow = counts[1] == counts[0] || counts[1] == rows ? equalInARow + 1 : 0;
        }
    }
}
