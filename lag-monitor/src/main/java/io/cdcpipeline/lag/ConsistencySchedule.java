package io.cdcpipeline.lag;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.embedded.Consistency;
import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled consistency checks ({@code consistency} in the config): every {@code every}, bin/cdc validate's check
 * of the configured tables in each sink, on a thread of its own (a full check of a large table takes long and must not
 * hold up the freshness checks), plus a watch of the tables' columns that checks a table again once its schema
 * changed. Drift found in two checks in a row persists: it alerts and fails /health.
 */
final class ConsistencySchedule implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsistencySchedule.class);

    private final MonitorConfig.Consistency config;
    private final Clock clock;
    private final ProbeFailures failures;
    private ScheduledExecutorService scheduler;
    private volatile List<CopyCheck.Result> results = List.of();
    private volatile Instant checkedAt;
    /** Per sink and table ("sink table"), how many checks in a row found drift. */
    private final Map<String, Integer> driftStreaks = new ConcurrentHashMap<>();
    /** Per table checked, its columns and types as last read from Postgres. */
    private final Map<TableId, Map<String, String>> columnsSeen = new LinkedHashMap<>();
    private final AtomicLong schemaChecks = new AtomicLong();

    ConsistencySchedule(MonitorConfig.Consistency config, Clock clock, ProbeFailures failures) {
        this.config = config;
        this.clock = clock;
        this.failures = failures;
    }

    void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cdc-lag-monitor-consistency");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> quietly(() -> checkTables(config.tables())), 0,
                config.every().toMillis(), TimeUnit.MILLISECONDS);
        long watch = config.schemaWatch().toMillis();
        if (watch > 0) {
            scheduler.scheduleWithFixedDelay(() -> quietly(this::watchSchemas), 0, watch, TimeUnit.MILLISECONDS);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void quietly(Step step) {
        try {
            step.run();
            failures.worked("consistency", "the consistency check");
        } catch (Exception e) {
            failures.failed("consistency", "the consistency check", e);
        }
    }

    /**
     * Reads the checked tables' columns from Postgres; a table whose columns changed since the last reading (a
     * column added, dropped, renamed or retyped: what SchemaChangeSignal marks on the stream, seen here at its source,
     * in either runtime) is checked again, alone, once the change had {@code settle} to reach the copies.
     */
    void watchSchemas() throws Exception {
        Map<TableId, Map<String, String>> now = Consistency.columns(config.pipeline(), config.connectConfigs(),
                config.tables());
        for (Map.Entry<TableId, Map<String, String>> table : now.entrySet()) {
            Map<String, String> before = columnsSeen.put(table.getKey(), table.getValue());
            if (before != null && !before.equals(table.getValue())) {
                LOG.info("Consistency: the columns of {} changed ({} -> {}); checking it in {}", table.getKey(),
                        before, table.getValue(), config.settle());
                scheduler.schedule(() -> quietly(() -> {
                    checkTables(List.of(table.getKey().toString()));
                    schemaChecks.incrementAndGet();
                }), config.settle().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** A check of these tables (empty: every configured one); their results replace theirs of the last check. */
    synchronized void checkTables(List<String> tables) throws Exception {
        Path work = Files.createTempDirectory("cdc-lag-consistency-");
        try {
            List<CopyCheck.Result> found = Consistency.check(config.pipeline(), config.connectConfigs(), tables,
                    new CopyCheck.Options(10_000, config.settle(), 2, work, config.light()));
            for (CopyCheck.Result r : found) {
                String id = r.sink() + " " + r.table();
                if (r.drifted()) {
                    int streak = driftStreaks.merge(id, 1, Integer::sum);
                    LOG.warn("Consistency: {} in sink {} differs from Postgres ({} missing, {} extra, {} with other "
                            + "values; {} checks in a row)", r.table(), r.sink(), r.missingTotal(), r.extraTotal(),
                            r.differingTotal(), streak);
                } else {
                    driftStreaks.remove(id);
                }
            }
            List<CopyCheck.Result> merged = new ArrayList<>(found);
            for (CopyCheck.Result kept : results) {
                if (found.stream().noneMatch(r -> r.sink().equals(kept.sink()) && r.table().equals(kept.table()))) {
                    merged.add(kept);
                }
            }
            results = List.copyOf(merged);
            checkedAt = clock.instant();
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** The last check's results (empty before the first). */
    List<CopyCheck.Result> results() {
        return results;
    }

    Instant checkedAt() {
        return checkedAt;
    }

    long schemaChangeChecks() {
        return schemaChecks.get();
    }

    /** The results whose drift was found in at least two checks in a row: an alert, and a health reason. */
    List<CopyCheck.Result> persistentDrift() {
        return results.stream().filter(r -> r.drifted() && driftStreaks.getOrDefault(r.sink() + " " + r.table(), 0) >= 2)
                .toList();
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
