package io.cdcpipeline.core.consistency;

import io.cdcpipeline.core.TableId;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Postgres's side of a checksum comparison ({@link RowChecksum}), computed by Postgres itself: bucket sums are one
 * aggregate query (which Postgres may run in parallel), so an equal table crosses the wire as a few thousand sums.
 */
public final class SourceChecksums {

    private static final String BIT_AND = "(%s & %s)";

    private final Connection connection;

    public SourceChecksums(Connection connection) {
        this.connection = connection;
    }

    /**
     * Per bucket, the rows' count and hash sum; {@code types} are the columns' {@code pg_type.typname}s. With
     * {@code parallel} false, Postgres runs it on one process: when the other side is the slower (a copy read and
     * hashed by the check), parallel workers would only take the cores that side needs.
     */
    public BucketSums bucketSums(TableId table, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            List<String> types, Buckets buckets, boolean parallel) throws SQLException {
        String sql = "SELECT " + buckets.sqlBucket("bh", BIT_AND) + ", count(*), sum(rh)::text FROM (SELECT "
                + RowChecksum.postgresBucketHash(key) + " AS bh, "
                + RowChecksum.postgresRowHash(key, columns, forms, types) + " AS rh FROM " + quoted(table)
                + ") r WHERE " + buckets.sqlFilter("bh", BIT_AND) + " GROUP BY 1";
        BucketSums sums = new BucketSums();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            if (!parallel) {
                st.execute("SET LOCAL max_parallel_workers_per_gather = 0");
            }
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    // sum() of bigint is numeric: the wrapping 64-bit sum is its low 64 bits.
                    sums.put(rs.getLong(1), rs.getLong(2), new BigInteger(rs.getString(3)).longValue());
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
        return sums;
    }

    /** Each row of {@code buckets}: its key as text and its hash, streamed through a cursor in batches. */
    public void rowHashes(TableId table, KeyColumns key, List<String> columns, List<ChecksumForm> forms,
            List<String> types, Buckets buckets, int batchSize, Consumer<List<KeyDiff.Keyed>> rows)
            throws SQLException {
        List<String> keyText = new ArrayList<>();
        key.names().forEach(column -> keyText.add(RowChecksum.identifier(column) + "::text"));
        String sql = "SELECT " + String.join(", ", keyText) + ", "
                + RowChecksum.postgresRowHash(key, columns, forms, types) + " FROM " + quoted(table) + " WHERE "
                + buckets.sqlFilter(RowChecksum.postgresBucketHash(key), BIT_AND);
        SourceCursor.stream(connection, sql, batchSize, rs -> {
            List<String> k = new ArrayList<>(key.size());
            for (int c = 1; c <= key.size(); c++) {
                k.add(rs.getString(c));
            }
            return new KeyDiff.Keyed(k, Long.toHexString(rs.getLong(key.size() + 1)));
        }, rows);
    }

    private static String quoted(TableId table) {
        return RowChecksum.identifier(table.schema()) + "." + RowChecksum.identifier(table.table());
    }
}
