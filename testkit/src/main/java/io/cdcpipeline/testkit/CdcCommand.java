package io.cdcpipeline.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code bin/cdc} as users do, for tests of its commands (deploy, stack worker, stack stop). */
public final class CdcCommand {

    /** What the command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    private CdcCommand() {
    }

    /** Runs {@code bin/cdc <args>}, echoing its output into the test log. */
    public static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** Runs {@code bin/cdc <args>} with extra environment variables. */
    public static Result run(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProjectRoot.path().resolve("bin/cdc").toString());
        command.addAll(List.of(args));
        StackLauncher.Result result = StackLauncher.exec(command, environment, true);
        return new Result(result.exitCode(), result.output());
    }

    /** Runs it and fails when it exits with an error. */
    public static String require(String... args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("bin/cdc " + String.join(" ", args) + " failed (exit " + result.exitCode()
                    + "):\n" + result.output());
        }
        return result.output();
    }
}
