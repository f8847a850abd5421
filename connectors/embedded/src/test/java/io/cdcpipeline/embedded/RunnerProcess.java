package io.cdcpipeline.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bin/cdc run} as the tests start it: {@link RunnerMain} in a JVM of its own, its output in a log file. */
final class RunnerProcess {

    private RunnerProcess() {
    }

    static Process start(Path config, Path log, String... extraArgs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The heap bin/cdc run gives the runner: these runs hold it under their loads (snapshots, kills, resumes).
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp",
                System.getProperty("java.class.path"),
                RunnerMain.class.getName(), "--config", config.toString()));
        command.addAll(List.of(extraArgs));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the log holds {@code text}; fails if the runner exits first or the time runs out. */
    static void awaitLog(Process runner, Path log, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            if (!runner.isAlive()) {
                throw new AssertionError("the runner exited (" + runner.exitValue() + ") before it logged '" + text
                        + "'; its log " + log + " ends with:\n" + tail(log));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the runner did not log '" + text + "' within " + seconds + " s; log " + log);
    }

    /** The runner's line that says how it started (resumed, first start, ...) or why it refused. */
    static String startLine(Path log) throws Exception {
        for (String line : Files.readAllLines(log)) {
            if (line.contains("StartGuard") || line.startsWith("error:")) {
                return line;
            }
        }
        return "(no start line: killed before the start check)";
    }

    /** The last 30 lines of the runner's log, for a failure message. */
    static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
