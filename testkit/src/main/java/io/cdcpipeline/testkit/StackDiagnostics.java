package io.cdcpipeline.testkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the stack was doing when an integration test gave up waiting ({@link Await}): the threads of this JVM and of
 * every Java server the stack started (Connect workers, runners: whatever has a pid file under {@code .work}), and
 * the Postgres sessions that were busy or waiting for a lock, with who blocked them. A wait that times out on CI
 * cannot be watched as it happens; this is what is left to read. Written to {@code target/stack-diagnostics/}, and
 * the Postgres part and the busy task threads are printed too, since a CI log is often all there is.
 */
public final class StackDiagnostics {

    private static volatile StackEndpoints stack;

    private StackDiagnostics() {
    }

    /** The stack the tests of this JVM use, whose Postgres is asked about sessions when a wait times out. */
    static void watch(StackEndpoints endpoints) {
        stack = endpoints;
    }

    /** Captures what the stack is doing; never throws, since it runs while a test is failing for another reason. */
    public static void capture(String what) {
        StringBuilder full = new StringBuilder("# Stack diagnostics: not within the wait for: " + what + "\n\n");
        StringBuilder brief = new StringBuilder();
        try {
            String sessions = postgresSessions();
            full.append(sessions);
            brief.append(sessions);
            full.append("## Threads of the test JVM\n\n").append(ownThreads()).append('\n');
            for (Path pidFile : javaServers()) {
                String pid = Files.readString(pidFile).trim();
                String dump = threadDump(pid);
                full.append("## Threads of ").append(pidFile).append(" (pid ").append(pid).append(")\n\n")
                        .append(dump).append('\n');
                brief.append(taskThreads(pidFile, dump));
            }
            Path out = Paths.get("target", "stack-diagnostics",
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, full, StandardCharsets.UTF_8);
            System.out.println("Stack diagnostics for \"" + what + "\" written to " + out.toAbsolutePath() + "\n" + brief);
        } catch (Exception e) {
            System.out.println("Stack diagnostics for \"" + what + "\" failed: " + e);
        }
    }

    private static String postgresSessions() {
        StackEndpoints endpoints = stack;
        if (endpoints == null) {
            return "";
        }
        StringBuilder out = new StringBuilder("## Postgres sessions not idle\n\n");
        try (Connection c = DriverManager.getConnection(endpoints.jdbcUrl("postgres"), endpoints.pgUser(), "");
                Statement st = c.createStatement()) {
            st.setQueryTimeout(10);
            try (ResultSet rs = st.executeQuery("SELECT pid, datname, application_name, state, wait_event_type, "
                    + "wait_event, pg_blocking_pids(pid) AS blocked_by, now() - xact_start AS in_transaction_for, "
                    + "left(query, 300) AS query FROM pg_stat_activity WHERE state IS DISTINCT FROM 'idle' "
                    + "AND backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY xact_start")) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        out.append(i == 1 ? "- " : ", ").append(meta.getColumnLabel(i)).append('=')
                                .append(rs.getString(i));
                    }
                    out.append('\n');
                }
            }
        } catch (Exception e) {
            out.append("(could not ask Postgres: ").append(e.getMessage()).append(")\n");
        }
        return out.append('\n').toString();
    }

    private static String ownThreads() {
        StringWriter out = new StringWriter();
        PrintWriter print = new PrintWriter(out);
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            print.println("\"" + e.getKey().getName() + "\" " + e.getKey().getState());
            for (StackTraceElement frame : e.getValue()) {
                print.println("\tat " + frame);
            }
            print.println();
        }
        print.flush();
        return out.toString();
    }

    /** The pid files under .work whose process is a running JVM. */
    private static List<Path> javaServers() throws IOException {
        Path work = ProjectRoot.path().resolve(".work");
        if (!Files.isDirectory(work)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(work, 3)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pid")).filter(StackDiagnostics::isJava)
                    .sorted().toList();
        }
    }

    private static boolean isJava(Path pidFile) {
        try {
            String pid = Files.readString(pidFile).trim();
            return Files.readString(Paths.get("/proc", pid, "cmdline")).contains("java");
        } catch (Exception e) {
            return false;
        }
    }

    private static String threadDump(String pid) throws Exception {
        String javaHome = System.getProperty("java.home");
        Path jcmd = Paths.get(javaHome, "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), pid, "Thread.print").redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        return new String(output, StandardCharsets.UTF_8);
    }

    /** The threads of Connect tasks and of our own pools, where a stuck sink or source shows. */
    private static String taskThreads(Path pidFile, String dump) {
        StringBuilder out = new StringBuilder();
        for (String thread : dump.split("\n\n")) {
            String first = thread.strip();
            if (first.startsWith("\"task-thread-") || first.startsWith("\"cdc-")) {
                out.append(thread.strip()).append("\n\n");
            }
        }
        return out.isEmpty() ? "" : "## Task threads of " + pidFile.getFileName() + "\n\n" + out;
    }
}
