package io.cdcpipeline.embedded;

import io.cdcpipeline.embedded.position.PositionRefusedException;
import io.cdcpipeline.embedded.position.UnreadablePositionException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/cdc run --config FILE}: runs one pipeline file until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a pipeline: Debezium's Postgres connector in the embedded engine, feeding the sinks.")
public final class RunnerMain implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "The pipeline properties file.")
    Path config;

    @Option(names = "--validate-only", description = "Check the file and exit without connecting to anything.")
    boolean validateOnly;

    @Option(names = "--check-servers", description = "With --validate-only: also run each sink connector's own "
            + "validation, which connects to its server (reachable, credentials, database or cluster).")
    boolean checkServers;

    @Option(names = "--resnapshot", description = "Take a new snapshot although a position is stored or the "
            + "replication slot exists (the stored position is kept aside). Needed after the position was lost: the "
            + "runner refuses to start then. When the snapshot completes, the sinks remove the rows it did not send "
            + "again (rows deleted while no position was kept).")
    boolean resnapshot;

    public static void main(String[] args) {
        System.exit(new CommandLine(new RunnerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        EmbeddedPipeline pipeline;
        try {
            pipeline = EmbeddedPipeline.validate(PipelineFile.load(config));
            if (validateOnly && checkServers) {
                pipeline.checkSinkServers();
            }
        } catch (ConfigException e) {
            System.err.println("error: invalid pipeline file " + config + ": " + e.getMessage());
            return 2;
        }
        if (validateOnly) {
            System.out.println("pipeline file " + config + " is valid");
            return 0;
        }
        Thread shutdown = new Thread(pipeline::close, "cdc-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        try {
            pipeline.start(resnapshot);
        } catch (PositionRefusedException | UnreadablePositionException | SourceNotReadyException e) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            System.err.println("error: " + e.getMessage());
            return 3;
        }
        pipeline.awaitStop(Long.MAX_VALUE, TimeUnit.DAYS);
        if (pipeline.failure() != null) {
            Runtime.getRuntime().removeShutdownHook(shutdown);
            pipeline.close();
            System.err.println("error: the pipeline failed: " + pipeline.failure().getMessage());
            return 1;
        }
        return 0;
    }
}
