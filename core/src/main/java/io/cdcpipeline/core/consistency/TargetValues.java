package io.cdcpipeline.core.consistency;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The values of a copy's live rows, as text the way the target gives them back (see {@link ColumnKind}), for a
 * comparison of values with Postgres.
 */
public interface TargetValues {

    /** A live row: its key as text, and the text of each column asked for (null for NULL or absent). */
    record ValuedRow(List<String> key, List<String> values) {
    }

    /** Reads the key and the columns' values of every live row, in batches of at most {@code batchSize}. */
    void scanValues(String target, KeyColumns key, List<String> columns, int batchSize,
            Consumer<List<ValuedRow>> batches);

    /** The columns' values of the live rows among {@code keys}, by key. */
    Map<List<String>, List<String>> values(String target, KeyColumns key, List<String> columns,
            List<List<String>> keys);

    /**
     * Per timestamp column, the fractional-second digits the target keeps when it keeps fewer than nine (ClickHouse
     * 18.16's DateTime keeps none); columns not listed keep what they were given.
     */
    Map<String, Integer> fractionDigits(String target);

    /** The keys of up to {@code n} live rows picked at random (a light check's sample). */
    List<List<String>> sampleKeys(String target, KeyColumns key, int n);
}
