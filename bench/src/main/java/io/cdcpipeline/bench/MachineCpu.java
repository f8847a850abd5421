package io.cdcpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine's CPUs were between two readings of {@code /proc/stat}: on a machine that runs the
 * servers too, a reader that keeps every core busy cannot go faster by doing its own work faster alone.
 */
final class MachineCpu {

    private final long busy;
    private final long total;

    private MachineCpu(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    static MachineCpu now() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
            return new MachineCpu(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new MachineCpu(0, 0);
        }
    }

    /** The share of all cores' time that was busy since {@code start} (0 to 1; 0 if unknown). */
    double busySince(MachineCpu start) {
        long elapsed = total - start.total;
        return elapsed <= 0 ? 0 : (double) (busy - start.busy) / elapsed;
    }
}
