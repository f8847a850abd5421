package io.cdcpipeline.core.consistency;

/**
 * Waits until the copies hold every change Postgres committed before the call: the pipeline's "complete up to", which
 * a re-check of the keys found different waits for, so that a row merely in flight is never taken for drift.
 */
@FunctionalInterface
public interface CatchUp {

    /** Nothing to wait for: re-checks rely on their settle time alone. */
    CatchUp NONE = () -> "no pipeline position to wait for; settled by time";

    /** Waits; returns what it waited for, or why it could not tell (the settle time then has to do). */
    String await() throws InterruptedException;
}
