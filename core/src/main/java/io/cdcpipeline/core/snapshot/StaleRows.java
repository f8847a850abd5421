package io.cdcpipeline.core.snapshot;

/** A sink's versioned delete of what a snapshot left behind. */
public interface StaleRows {

    /**
     * Writes a versioned delete, at version {@code bound - 1}, for every live row of {@code target} whose version is
     * below {@code bound}, and returns how many rows it removed. A row written later with a higher version (the
     * snapshot's own read, or a newer change) still wins over that delete.
     */
    long removeOlderThan(String target, long bound);
}
