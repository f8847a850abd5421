package io.cdcpipeline.core.sink;

/**
 * What a {@link ChangeTarget} may ask of the engine buffering its writes: the newest buffered version of a key (an
 * unchanged-TOAST value comes from there first), and that buffered writes be in the target now (before it reads
 * stored values or changes a table's schema).
 */
public interface ChangeBuffer<W extends BufferedWrite> {

    /** The newest write of {@code key} to {@code target} still buffered or buffered during this put, or null. */
    W newest(String target, Object key);

    /**
     * Returns once every write to {@code target} accepted so far is in it (or dead-lettered).
     *
     * @throws org.apache.kafka.connect.errors.RetriableException if some could not be written yet (they stay buffered)
     */
    void writeOut(String target);

    /** Returns once every write accepted so far is in its target (or dead-lettered); throws as {@link #writeOut}. */
    void writeOutAll();
}
