package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.LongRun;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner ({@code bin/cdc run}, a process of its own) under a pgbench load of inserts, updates and deletes,
 * killed with SIGKILL again and again: during the initial snapshot, right after it, and at random instants while it
 * streams and saves its position every 20 ms. Every restart must go on by itself (never refused, never a silent new
 * snapshot that leaves deleted rows behind), and once the load stops and the runner has caught up, both copies must
 * equal Postgres row by row.
 */
@RealStack
class RunnerKillIT {

    private static final int SEED_ORDERS = 30_000;
    private static final String LOAD = """
            \\set ins random(1000000, 2000000000)
            \\set del random(1, %d)
            \\set upd random(1, %d)
            BEGIN;
            INSERT INTO orders VALUES (:ins, :client_id, 'bench', 1.50, now()) ON CONFLICT (id) DO NOTHING;
            INSERT INTO order_items VALUES (:ins, 1, 'sku-bench', 1) ON CONFLICT DO NOTHING;
            DELETE FROM order_items WHERE order_id = :del;
            DELETE FROM orders WHERE id = :del;
            UPDATE orders SET total = total + 1, status = 'changed' WHERE id = :upd;
            END;
            """.formatted(SEED_ORDERS, SEED_ORDERS);

    private enum Phase { DURING_SNAPSHOT, RIGHT_AFTER_SNAPSHOT, DURING_INCREMENTAL_SNAPSHOT, STREAMING }

    private record Kill(int round, Phase phase, long aliveMs, String start) {
    }

    @Test
    void sigkillsAtAnyInstantLeaveBothCopiesEqualToPostgres(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        h.extraConfig.put("offset.flush.interval.ms", "20");
        h.shopWithSignalTable();
        h.sql("INSERT INTO customers SELECT g, 'c' || g || '@example.com', 'C' || g, g, true, NULL, NULL "
                        + "FROM generate_series(1, 20) g",
                "INSERT INTO orders SELECT g, 1 + g % 20, 'new', g * 1.5, timestamp '2026-01-01' + g * interval '1 second' "
                        + "FROM generate_series(1, " + SEED_ORDERS + ") g",
                "INSERT INTO order_items SELECT g, 1, 'sku-1', 1 FROM generate_series(1, " + SEED_ORDERS + ") g");
        Path config = h.writeConfig(work.resolve("pipeline.properties"));
        String name = h.pipelineConfig().get("name");
        Path logs = Files.createDirectories(Path.of("target", "runner-logs", "kill-" + pg.name()));
        Path script = work.resolve("load.sql");
        Files.writeString(script, LOAD);

        int kills = LongRun.rounds(20, 60);
        Random random = new Random(15);
        List<Kill> done = new ArrayList<>();
        Process load = pgbench(stack, pg, script, logs.resolve("pgbench.log"));
        try {
            for (int round = 1; round <= kills; round++) {
                Path log = logs.resolve("runner-" + round + ".log");
                Process runner = RunnerProcess.start(config, log);
                long started = System.nanoTime();
                Phase phase = switch (round) {
                    case 1 -> Phase.DURING_SNAPSHOT;
                    case 2 -> Phase.RIGHT_AFTER_SNAPSHOT;
                    case 3 -> Phase.DURING_INCREMENTAL_SNAPSHOT;
                    default -> Phase.STREAMING;
                };
                try {
                    switch (phase) {
                        case DURING_SNAPSHOT -> {
                            RunnerProcess.awaitLog(runner, log, "Exporting data from table 'public.orders'", 90);
                            Thread.sleep(random.nextInt(1500));
                        }
                        case RIGHT_AFTER_SNAPSHOT -> {
                            RunnerProcess.awaitLog(runner, log, "Snapshot completed at LSN", 180);
                            Thread.sleep(random.nextInt(100));
                        }
                        case DURING_INCREMENTAL_SNAPSHOT -> {
                            // Killed while it reads orders in chunks; the next starts resume it from the position.
                            awaitStreaming(runner, log, name, h);
                            h.sql("INSERT INTO debezium_signal VALUES ('kill-" + round + "', 'execute-snapshot', "
                                    + "'{\"data-collections\": [\"public.orders\"], \"type\": \"incremental\"}')");
                            RunnerProcess.awaitLog(runner, log, "Incremental snapshot for table 'public.orders' will end",
                                    90);
                            Thread.sleep(random.nextInt(1000));
                        }
                        case STREAMING -> {
                            awaitStreaming(runner, log, name, h);
                            Thread.sleep(200 + random.nextInt(3000));
                        }
                    }
                    assertThat(runner.isAlive()).as("runner of round %d is still running before its kill (log %s)",
                            round, log).isTrue();
                } finally {
                    runner.destroyForcibly(); // SIGKILL: no shutdown hook, no final position save
                    assertThat(runner.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
                if (phase == Phase.DURING_INCREMENTAL_SNAPSHOT) {
                    assertThat(Files.readString(log)).as("killed before the incremental snapshot finished (log %s)", log)
                            .doesNotContain("incremental snapshotting of table 'public.orders' finished");
                }
                done.add(new Kill(round, phase, (System.nanoTime() - started) / 1_000_000, RunnerProcess.startLine(log)));
                assertThat(load.isAlive()).as("pgbench keeps running (log %s)", logs.resolve("pgbench.log")).isTrue();
            }
        } finally {
            load.destroy();
            load.waitFor(30, TimeUnit.SECONDS);
        }

        Path last = logs.resolve("runner-final.log");
        Process runner = RunnerProcess.start(config, last);
        long catchUpStarted = System.nanoTime();
        long compared;
        try {
            compared = h.awaitCopiesEqualSource(300);
            h.assertNoDeadLetters();
        } finally {
            runner.destroy();
            runner.waitFor(60, TimeUnit.SECONDS);
        }
        long catchUpMs = (System.nanoTime() - catchUpStarted) / 1_000_000;
        for (Kill kill : done) {
            assertThat(kill.start()).as("how round %d started", kill.round()).doesNotContain("refusing");
        }
        assertThat(done.get(0).start()).contains("first start");
        publish(done, catchUpMs, h);
        ReliabilityCase.fault("Runner SIGKILLed " + done.size() + " times under pgbench (in the initial snapshot, "
                        + "right after it, in an incremental snapshot, then at random while streaming)")
                .expected("every restart resumes by itself (none refused); after the last one both copies equal Postgres")
                .observed(done.size() + " kills, 0 restarts refused, no dead letters, caught up " + catchUpMs
                        + " ms after the last start")
                .rowsCompared(compared).record();
    }

    /**
     * Waits until the runner streams: when the last kill came before a streaming position was stored, it takes a
     * snapshot first (and a signal written during that snapshot would be read as a row of it, not as a signal).
     * Streaming means a streaming position is stored (Debezium's {@code lsn_proc}): Debezium reads the snapshot's
     * last rows well before both sinks hold them, and a kill between the two is one more kill inside the snapshot
     * (the next start takes it again), not one while streaming.
     */
    private static void awaitStreaming(Process runner, Path log, String name, PipelineHarness h) throws Exception {
        RunnerProcess.awaitLog(runner, log, "Pipeline " + name + " started", 90);
        if (!RunnerProcess.startLine(log).contains("resuming")) {
            RunnerProcess.awaitLog(runner, log, "Snapshot completed at LSN", 180);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!h.streamingPositionStored()) {
            if (!runner.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the runner stored no streaming position in " + h.offsetFile() + " (log "
                        + log + ")");
            }
            Thread.sleep(20);
        }
    }

    private static Process pgbench(StackEndpoints stack, PostgresTestDatabase pg, Path script, Path log) throws Exception {
        return new ProcessBuilder(List.of("/usr/lib/postgresql/15/bin/pgbench", "-h", stack.pgHost(),
                "-p", Integer.toString(stack.pgPort()), "-U", pg.user(), "-n", "-c", "2", "-R", "150", "-T", "3600",
                "-f", script.toString(), pg.name()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void publish(List<Kill> kills, long catchUpMs, PipelineHarness h) throws Exception {
        Map<String, Integer> starts = new LinkedHashMap<>();
        for (Kill kill : kills) {
            Matcher kind = Pattern.compile("Start \\((\\w+)\\)").matcher(kill.start());
            starts.merge(kind.find() ? kind.group(1) : kill.start(), 1, Integer::sum);
        }
        StringBuilder page = new StringBuilder("""
                # The runner under SIGKILL

                `RunnerKillIT`: `bin/cdc run` as a process of its own, a pgbench load (2 clients, 150 transactions/s, each
                an insert, a delete and an update of orders and order items) and the position saved every 20 ms. The
                runner is killed with SIGKILL once during its initial snapshot, once right after it, once during an
                incremental snapshot of orders (signalled through the signal table), then at random instants while it
                streams; after the last kill the load stops and one more start must bring both copies
                to equal Postgres row by row.

                | kills | during the initial snapshot | right after it | during an incremental snapshot | while streaming | restarts refused | final copies equal Postgres | catch-up after the last kill |
                |---|---|---|---|---|---|---|---|
                """);
        page.append("| %d | %d | %d | %d | %d | %d | yes: %s orders, %s order items in each | %.1f s |%n".formatted(kills.size(),
                kills.stream().filter(k -> k.phase() == Phase.DURING_SNAPSHOT).count(),
                kills.stream().filter(k -> k.phase() == Phase.RIGHT_AFTER_SNAPSHOT).count(),
                kills.stream().filter(k -> k.phase() == Phase.DURING_INCREMENTAL_SNAPSHOT).count(),
                kills.stream().filter(k -> k.phase() == Phase.STREAMING).count(),
                kills.stream().filter(k -> k.start().contains("refusing")).count(),
                h.postgresRows("SELECT count(*) FROM orders").get(0).get(0),
                h.postgresRows("SELECT count(*) FROM order_items").get(0).get(0), catchUpMs / 1000.0));
        page.append("\nHow each start of the loop began, by the runner's start check (`RESUME`: from the stored position; "
                + "`RESTART_SNAPSHOT`: the stored position was inside the initial snapshot, which is taken again; "
                + "`RETAKE_FIRST_SNAPSHOT`: killed before anything was stored):\n\n| start | times |\n|---|---|\n");
        starts.forEach((start, count) -> page.append("| ").append(start).append(" | ").append(count).append(" |\n"));
        LongRun.publish("runner-kills", page.toString());
    }
}
