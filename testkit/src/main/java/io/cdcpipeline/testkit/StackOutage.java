package io.cdcpipeline.testkit;

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
        if (System.getenv().containsKey("CDC_CH_URL")) {
            throw new IllegalStateException("this test stops " + server + ", but the stack comes from CDC_* variables "
                    + "and is not bin/cdc's to stop; run it against the stack 'bin/cdc stack up' starts");
        }
        run(List.of("stack", "stop", server));
    }

    /** Starts whatever of the stack is down again and waits until it is healthy. */
    public static void restore() {
        run(List.of("stack", "up"));
    }

    private static void run(List<String> args) {
        CdcCommand.require(args.toArray(String[]::new));
    }
}
