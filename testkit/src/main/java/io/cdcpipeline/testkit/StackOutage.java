package io.cdcpipeline.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Stops one server of the local stack and brings it back, for tests of how the pipeline rides out an outage. Only
 * for a stack that {@code bin/cdc} runs: servers given through {@code CDC_*} variables are not ours to stop.
 */
public final class StackOutage {

    private StackOutage() {
    }

    /** Stops {@code server} (postgres, clickhouse, elasticsearch, kafka or connect). */
    public static void stop(String server) {
        stop(server, List.of());
    }

    /** Stops Postgres as a crash would: immediate shutdown, no checkpoint, recovery at the next start. */
    public static void crashPostgres() {
        stop("postgres", List.of("immediate"));
    }

    private static void stop(String server, List<String> options) {
        if (System.getenv().containsKey("CDC_CH_URL")) {
            throw new IllegalStateException("this test stops " + server + ", but the stack comes from CDC_* variables "
                    + "and is not bin/cdc's to stop; run it against the stack 'bin/cdc stack up' starts");
        }
        List<String> args = new ArrayList<>(List.of("stack", "stop", server));
        args.addAll(options);
        run(args);
    }

    /** Starts whatever of the stack is down again and waits until it is healthy. */
    public static void restore() {
        run(List.of("stack", "up"));
    }

    private static void run(List<String> args) {
        CdcCommand.require(args.toArray(String[]::new));
    }
}
