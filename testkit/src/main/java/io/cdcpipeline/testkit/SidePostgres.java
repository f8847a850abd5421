package io.cdcpipeline.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second Postgres beside the stack's, with server settings of its own (say, {@code wal_level=replica}, which the
 * shared server must not have), started through {@code bin/cdc stack side-pg} and stopped and removed when closed.
 * Its superuser is {@code postgres}, trusted without a password, as on the stack's own server.
 */
public final class SidePostgres implements AutoCloseable {

    private final String name;
    private final String jdbcUrl;

    private SidePostgres(String name, String jdbcUrl) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
    }

    /** Starts the server on {@code port} with {@code settings} ("name=value") and waits until it answers. */
    public static SidePostgres start(String name, int port, String... settings) {
        List<String> command = new ArrayList<>(List.of(cdc(), "stack", "side-pg", "up", name, Integer.toString(port)));
        command.addAll(List.of(settings));
        StackLauncher.Result result = StackLauncher.exec(command, Map.of(), true);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("starting the side Postgres failed:\n" + result.output());
        }
        String[] lines = result.output().strip().split("\\R");
        return new SidePostgres(name, lines[lines.length - 1].trim());
    }

    /** The JDBC URL of its {@code postgres} database. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    @Override
    public void close() {
        StackLauncher.exec(List.of(cdc(), "stack", "side-pg", "down", name), Map.of(), true);
    }

    private static String cdc() {
        return ProjectRoot.path().resolve("bin/cdc").toString();
    }
}
