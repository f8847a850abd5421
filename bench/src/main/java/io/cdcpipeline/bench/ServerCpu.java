package io.cdcpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time the stack's servers used, read from {@code /proc}: every Postgres process (the WAL sender that decodes
 * for the slot among them), ClickHouse, Elasticsearch, and where the stack has them the Kafka broker and the Connect
 * worker. With the reader's own CPU time it says where a run's CPU went.
 */
final class ServerCpu {

    static final String POSTGRES = "Postgres";
    static final String CLICKHOUSE = "ClickHouse";
    static final String ELASTICSEARCH = "Elasticsearch";
    static final String KAFKA = "Kafka";
    static final String CONNECT = "Connect worker";
    private static final double TICKS_PER_SECOND = 100;

    private final Map<String, Long> ticks;

    private ServerCpu(Map<String, Long> ticks) {
        this.ticks = ticks;
    }

    static ServerCpu now() {
        Map<String, Long> ticks = new LinkedHashMap<>(Map.of(POSTGRES, 0L, CLICKHOUSE, 0L, ELASTICSEARCH, 0L));
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                String server = server(p);
                if (server != null) {
                    ticks.merge(server, cpuTicks(p), Long::sum);
                }
            });
        } catch (IOException e) {
            // no /proc: nothing to say
        }
        return new ServerCpu(ticks);
    }

    private static String server(Path proc) {
        try {
            String comm = Files.readString(proc.resolve("comm")).trim();
            if (comm.equals("postgres")) {
                return POSTGRES;
            }
            if (comm.startsWith("clickhouse")) {
                return CLICKHOUSE;
            }
            if (!comm.equals("java")) {
                return null;
            }
            // By its main class: a benchmark's own JVMs name the sinks' jars on their class paths too.
            String cmdline = Files.readString(proc.resolve("cmdline"));
            if (cmdline.contains("org.elasticsearch.bootstrap.Elasticsearch")) {
                return ELASTICSEARCH;
            }
            if (cmdline.contains("org.apache.kafka.connect.cli.ConnectDistributed")) {
                return CONNECT;
            }
            return cmdline.contains("\0kafka.Kafka\0") ? KAFKA : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long cpuTicks(Path proc) {
        try {
            String[] stat = Files.readString(proc.resolve("stat")).replaceFirst("^.*\\) ", "").split(" ");
            return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended between the listing and this read
        }
    }

    /** CPU seconds each server used since {@code start}. */
    Map<String, Double> secondsSince(ServerCpu start) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        ticks.forEach((server, t) -> seconds.put(server, Math.max(0, t - start.ticks.getOrDefault(server, 0L))
                / TICKS_PER_SECOND));
        return seconds;
    }
}
