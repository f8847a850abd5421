package io.cdcpipeline.sink.clickhouse;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to a server of a cluster ({@code clickhouse.cluster}): each DDL statement is run {@code ON CLUSTER}
 * ({@link ClickHouseCluster#onCluster}). When the server stops waiting for the hosts to run it (TIMEOUT_EXCEEDED,
 * after {@code clickhouse.cluster.ddl.timeout.seconds}), the statement is in the distributed DDL queue, and every host
 * runs it in order, those that are down when they are back: it counts as done, and is not sent again (a second copy
 * would be queued behind the first and fail, the column existing). An insert that names a column the replica does not
 * have yet waits for that queued ALTER: it is retried instead of refused.
 */
final class ClusterConnection implements ClickHouseConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterConnection.class);
    /** TIMEOUT_EXCEEDED: the server stopped waiting for the hosts of an ON CLUSTER statement. */
    private static final int TIMEOUT_EXCEEDED = 159;
    private static final int NO_SUCH_COLUMN_IN_TABLE = 16;

    private final ClickHouseConnection server;
    private final ClickHouseCluster cluster;

    ClusterConnection(ClickHouseConnection server, ClickHouseCluster cluster) {
        this.server = server;
        this.cluster = cluster;
    }

    @Override
    public String version() {
        return server.version();
    }

    @Override
    public void execute(String sql) {
        String statement = cluster.onCluster(sql);
        try {
            server.execute(statement);
        } catch (ClickHouseFailure e) {
            if (e.code() != TIMEOUT_EXCEEDED) {
                throw e;
            }
            LOG.warn("Cluster {}: not every host has run '{}' yet; they run it from the distributed DDL queue (those "
                    + "that are down once they are back): {}", cluster.name(), statement.lines().findFirst()
                    .orElse(statement), e.getMessage());
        }
    }

    @Override
    public void insertRowBinary(String table, List<String> columns, byte[] rows) {
        try {
            server.insertRowBinary(table, columns, rows);
        } catch (ClickHouseFailure e) {
            if (e.code() != NO_SUCH_COLUMN_IN_TABLE) {
                throw e;
            }
            throw new ClickHouseFailure(e.getMessage() + " (on a cluster: the replica has not run the queued ALTER "
                    + "that adds it yet)", ClickHouseFailure.Kind.RETRIABLE, e.code(), e);
        }
    }

    @Override
    public byte[] query(String sql) {
        return server.query(sql);
    }

    @Override
    public void streamRows(String sql, Consumer<String[]> rows) {
        server.streamRows(sql, rows);
    }

    @Override
    public void close() {
        server.close();
    }
}
