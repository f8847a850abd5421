package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One sink's copy of the source tables, as a consistency check reads and repairs it from outside the sink task
 * ({@code bin/cdc validate}): the target a source table is written to, its live rows, and the versioned delete.
 */
public interface SinkCopy extends TargetRows, AutoCloseable {

    /** The target (a quoted ClickHouse table, an Elasticsearch alias) of a source table; null if it does not exist. */
    String targetOf(TableId source);

    @Override
    void close();

    /** A copy made of a sink's {@link TargetRows}, its naming of targets, and what closes its connection. */
    static SinkCopy of(TargetRows rows, Function<TableId, String> targetOf, Runnable close) {
        return new SinkCopy() {
            @Override
            public String targetOf(TableId source) {
                return targetOf.apply(source);
            }

            @Override
            public void scanLive(String target, KeyColumns key, int batchSize, Consumer<List<Row>> batches) {
                rows.scanLive(target, key, batchSize, batches);
            }

            @Override
            public long removeAt(String target, KeyColumns key, List<Row> stale) {
                return rows.removeAt(target, key, stale);
            }

            @Override
            public List<Row> liveRows(String target, KeyColumns key, List<List<String>> keys) {
                return rows.liveRows(target, key, keys);
            }

            @Override
            public long liveCount(String target) {
                return rows.liveCount(target);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
