package io.cdcpipeline.core.consistency;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A query over a whole table streamed in batches: Postgres's JDBC driver holds a cursor (and not the whole result)
 * only inside a transaction with a fetch size, which this opens and rolls back.
 */
final class SourceCursor {

    /** Reads one row of a result set. */
    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private SourceCursor() {
    }

    static <T> void stream(Connection connection, String sql, int batchSize, RowReader<T> reader,
            Consumer<List<T>> batches) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.setFetchSize(batchSize);
            try (ResultSet rs = st.executeQuery(sql)) {
                List<T> batch = new ArrayList<>(batchSize);
                while (rs.next()) {
                    batch.add(reader.read(rs));
                    if (batch.size() == batchSize) {
                        batches.accept(batch);
                        batch = new ArrayList<>(batchSize);
                    }
                }
                if (!batch.isEmpty()) {
                    batches.accept(batch);
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }
}
