package io.cdcpipeline.core.consistency;

import java.util.List;
import java.util.function.Consumer;

/**
 * A sink's side of a stray check ({@link StraySweep}): the live rows of a target, and a versioned delete that only
 * takes effect on a row still holding the version that was read.
 */
public interface TargetRows {

    /**
     * A live row of a target: its key as text, one value per key column in key order, its version, and the target's
     * own name for it where it has one (an Elasticsearch document id), else null.
     */
    record Row(List<String> key, long version, String id) {
    }

    /** Reads the key and version of every live row of {@code target}, in batches of at most {@code batchSize}. */
    void scanLive(String target, KeyColumns key, int batchSize, Consumer<List<Row>> batches);

    /**
     * Deletes each row at version {@code version + 1}, unless it changed since it was read (then it holds a higher
     * version, which wins), and returns how many rows it removed. Any later change of the key has a higher version
     * still: its LSN is past the delete that made the row a stray, hence past the row's own.
     */
    long removeAt(String target, KeyColumns key, List<Row> rows);

    /** The live rows among {@code keys} (text, one value per key column), with their versions. */
    List<Row> liveRows(String target, KeyColumns key, List<List<String>> keys);

    /** How many live rows the target holds (0 when it does not exist). */
    long liveCount(String target);
}
