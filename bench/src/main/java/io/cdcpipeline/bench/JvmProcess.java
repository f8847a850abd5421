package io.cdcpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Java process a benchmark starts (the runner, the source ceiling) with a heap limit, on this JVM's class path, and
 * what it used: peak resident memory (the kernel's high-water mark), CPU time, and peak heap (the largest heap
 * occupancy before a collection, from its GC log).
 */
final class JvmProcess implements AutoCloseable {

    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final Path gcLog;
    private final long startedAt = System.nanoTime();
    private long peakRssKb;
    private long cpuTicks;

    private JvmProcess(Process process, Path gcLog) {
        this.process = process;
        this.gcLog = gcLog;
    }

    /**
     * Starts {@code main} with {@code args} under {@code -Xmx<heap>} and the JVM options {@code jvmOptions}; its
     * output goes to {@code log}.
     */
    static JvmProcess start(String heap, List<String> jvmOptions, Path log, String main, String... args)
            throws IOException {
        Path gcLog = log.resolveSibling(log.getFileName() + ".gc");
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap, "-Xlog:gc:file=" + gcLog));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new JvmProcess(process, gcLog);
    }

    long startedAt() {
        return startedAt;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Reads what the process used so far; call before {@link #close} (the kernel forgets it at exit). */
    void sample() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    peakRssKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            String[] stat = Files.readString(Paths.get("/proc", Long.toString(process.pid()), "stat"))
                    .replaceFirst("^.*\\) ", "").split(" ");
            cpuTicks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]); // utime + stime, after the name
        } catch (IOException | RuntimeException e) {
            // the process is gone: keep the last sample
        }
    }

    double peakRssMb() {
        return peakRssKb / 1024.0;
    }

    double cpuSeconds() {
        return (double) cpuTicks / CLOCK_TICKS_PER_SECOND;
    }

    /** The largest heap occupancy before a collection in the GC log, in MB (0 if none ran). */
    long peakHeapMb() throws IOException {
        long peak = 0;
        if (Files.exists(gcLog)) {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_HEAP.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, Math.max(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
                }
            }
        }
        return peak;
    }

    /** Stops it as a service manager would (SIGTERM, then SIGKILL after a minute). */
    @Override
    public void close() throws InterruptedException {
        sample();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
