package io.cdcpipeline.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A steady stream of changes to the {@code people} table at a fixed rate, in transactions of a fixed size, on a
 * thread of its own, paced every 10 ms so that the rate holds over any second. Rows {@code 1..tableRows}; the marker
 * row 0 is left to the probe.
 */
final class SteadyLoad implements AutoCloseable {

    private final Thread thread;
    private final AtomicLong changes = new AtomicLong();
    private volatile boolean stopped;
    private volatile Exception failure;

    /**
     * @param perSecond       changes per second
     * @param perTransaction  changes per transaction
     */
    SteadyLoad(Supplier<Connection> connections, int perSecond, int perTransaction, int tableRows) {
        thread = new Thread(() -> run(connections, perSecond, perTransaction, tableRows), "steady-load");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Supplier<Connection> connections, int perSecond, int perTransaction, int tableRows) {
        try (Connection db = connections.get(); Statement settings = db.createStatement();
                PreparedStatement update = db.prepareStatement("UPDATE people SET total = total + 0.01, "
                        + "updated_at = now() WHERE id = ?")) {
            settings.execute("SET synchronous_commit = off"); // what limits the rate here is not the disk's fsync
            db.setAutoCommit(perTransaction == 1);
            long start = System.nanoTime();
            long next = 0;
            while (!stopped) {
                long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
                while (changes.get() < due && !stopped) {
                    for (int i = 0; i < perTransaction; i++) {
                        update.setLong(1, 1 + next++ % tableRows);
                        update.executeUpdate();
                    }
                    if (perTransaction > 1) {
                        db.commit();
                    }
                    changes.addAndGet(perTransaction);
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    /** The changes written so far. */
    long changes() {
        return changes.get();
    }

    @Override
    public void close() throws Exception {
        stopped = true;
        thread.join(10_000);
        if (failure != null) {
            throw failure;
        }
    }
}
