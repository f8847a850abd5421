package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One sink's copy of the source tables, as a consistency check reads and repairs it from outside the sink task
 * ({@code bin/cdc validate}): the target a source table is written to, its live rows, and the versioned delete.
 */
public interface SinkCopy extends TargetRows, TargetValues, TargetChecksums, AutoCloseable {

    /** The target (a quoted ClickHouse table, an Elasticsearch alias) of a source table; null if it does not exist. */
    String targetOf(TableId source);

    @Override
    void close();

    /**
     * A copy made of a sink's {@link TargetRows}, {@link TargetValues} and {@link TargetChecksums}, its naming of
     * targets, and its close.
     */
    static SinkCopy of(TargetRows rows, TargetValues values, TargetChecksums checksums,
            Function<TableId, String> targetOf, Runnable close) {
        return new SinkCopy() {
            @Override
            public List<ChecksumForm> checksumForms(String target, List<String> columns, List<ColumnKind> kinds) {
                return checksums.checksumForms(target, columns, kinds);
            }

            @Override
            public BucketSums bucketSums(String target, KeyColumns key, List<String> columns,
                    List<ChecksumForm> forms, Buckets buckets) {
                return checksums.bucketSums(target, key, columns, forms, buckets);
            }

            @Override
            public void rowHashes(String target, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
                    Buckets buckets, Consumer<List<KeyDiff.Keyed>> batches) {
                checksums.rowHashes(target, key, columns, forms, buckets, batches);
            }

            @Override
            public boolean sumsWhereDataLives() {
                return checksums.sumsWhereDataLives();
            }

            @Override
            public void scanValues(String target, KeyColumns key, List<String> columns, int batchSize,
                    Consumer<List<ValuedRow>> batches) {
                values.scanValues(target, key, columns, batchSize, batches);
            }

            @Override
            public Map<List<String>, List<String>> values(String target, KeyColumns key, List<String> columns,
                    List<List<String>> keys) {
                return values.values(target, key, columns, keys);
            }

            @Override
            public Map<String, Integer> fractionDigits(String target) {
                return values.fractionDigits(target);
            }

            @Override
            public List<List<String>> sampleKeys(String target, KeyColumns key, int n) {
                return values.sampleKeys(target, key, n);
            }

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
