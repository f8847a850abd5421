package io.cdcpipeline.embedded;

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
        pipeline.start();
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
