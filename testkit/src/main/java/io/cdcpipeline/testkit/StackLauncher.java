package io.cdcpipeline.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds the running stack, or starts it, through the same {@code bin/cdc stack} script users run. Endpoints given
 * in the environment ({@code CDC_PG_PORT}, {@code CDC_CH_URL}, {@code CDC_ES_URL}, ...) win: that is how tests are
 * pointed at servers the project did not start.
 */
final class StackLauncher {

    private static final long STACK_UP_TIMEOUT_MINUTES = 20;

    private StackLauncher() {
    }

    static StackEndpoints obtain(boolean needKafka) {
        Map<String, String> env = System.getenv();
        if (env.containsKey("CDC_ES_URL") && env.containsKey("CDC_CH_URL") && env.containsKey("CDC_PG_PORT")) {
            StackEndpoints given = StackEndpoints.fromEnv(env);
            if (needKafka && !given.hasKafka()) {
                throw new IllegalStateException("CDC_* endpoints come from the environment but CDC_KAFKA_BOOTSTRAP or "
                        + "CDC_CONNECT_URL is missing, and this test needs Kafka");
            }
            return given;
        }
        Path cdc = ProjectRoot.path().resolve("bin/cdc");
        // The tests use tools a user's stack does without (promtool, Chromium, chdb): --for-tests installs them.
        List<String> up = new ArrayList<>(List.of(cdc.toString(), "stack", "up", "--for-tests"));
        if (needKafka) {
            up.add("--with-kafka");
        }
        // 'stack up' is idempotent and takes well under a second when the stack is already up.
        run(up, true);
        return StackEndpoints.fromEnv(parseEnvLines(run(List.of(cdc.toString(), "stack", "env"), false)));
    }

    static Map<String, String> parseEnvLines(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String raw : output.split("\\R")) {
            String line = raw.startsWith("export ") ? raw.substring("export ".length()) : raw;
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                // printf %q escapes what a shell would split on (a comma between URLs becomes "\,"): undo it.
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replaceAll("\\\\(.)", "$1"));
            }
        }
        return values;
    }

    /** What a finished bin/cdc command printed (stdout and stderr together) and its exit code. */
    record Result(int exitCode, String output) {
    }

    /** Runs a bin/cdc command with extra environment variables. Its output is read through a pipe and, when asked,
     *  echoed line by line: a child writing straight to the test JVM's stdout would corrupt Surefire's channel. */
    static Result exec(List<String> command, Map<String, String> extraEnv, boolean echo) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(extraEnv);
        try {
            Process process = builder.start();
            StringBuilder output = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    output.append(line).append('\n');
                    if (echo) {
                        System.out.println("[bin/cdc] " + line);
                    }
                }
            }
            if (!process.waitFor(STACK_UP_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + STACK_UP_TIMEOUT_MINUTES + " minutes");
            }
            return new Result(process.exitValue(), output.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static String run(List<String> command, boolean echo) {
        Result result = exec(command, Map.of(), echo);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code "
                    + result.exitCode() + ":\n" + result.output());
        }
        return result.output();
    }
}
