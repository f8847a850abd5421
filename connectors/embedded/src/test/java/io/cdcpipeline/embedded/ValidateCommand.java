package io.cdcpipeline.embedded;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** {@code bin/cdc validate} run in the test's JVM, its exit code and what it printed. */
record ValidateCommand(int exit, String output, String errors) {

    /** Runs it on a pipeline file with {@code args} added; no settling wait, one re-check round unless asked. */
    static ValidateCommand run(Path config, String... args) {
        List<String> command = new ArrayList<>(List.of("--config", config.toString(), "--settle-seconds", "0",
                "--rounds", "1"));
        command.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new ValidateMain()).execute(command.toArray(String[]::new));
            return new ValidateCommand(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }
}
