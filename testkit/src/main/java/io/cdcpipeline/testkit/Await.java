package io.cdcpipeline.testkit;

/** Waits in integration tests for a condition that real servers reach in their own time. */
public final class Await {

    /** A condition that may throw while the servers are not there yet (a failed query counts as not yet). */
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Polls every half second until {@code condition} holds; fails naming {@code what} after {@code seconds}. */
    public static void until(Condition condition, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                StackDiagnostics.capture(what);
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(500);
        }
    }
}
