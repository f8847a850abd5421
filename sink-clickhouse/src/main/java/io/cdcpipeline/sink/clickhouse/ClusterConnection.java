package io.cdcpipeline.sink.clickhouse;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** How a server says that hosts have not run a statement, and how many of those are up (0: all are down). */
    private static final Pattern UNFINISHED = Pattern.compile("unfinished hosts \\((\\d+) of them are currently");
    private static final long WHILE_HOSTS_DOWN_SECONDS = 2;

    private final ClickHouseConnection server;
    private final ClickHouseCluster cluster;
    /** Whether the last statement found every host that had not run it down. */
    private boolean hostsDown;

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
            if (hostsDown) {
                // Waiting for hosts known to be down would only stall the sink (and, before 23.x, leave a view
                // missing between its DROP and CREATE for that long): a short wait, as the queue runs it anyway.
                server.execute(statement, Map.of("distributed_ddl_task_timeout", Long.toString(WHILE_HOSTS_DOWN_SECONDS)));
            } else {
                server.execute(statement);
            }
            hostsDown = false;
        } catch (ClickHouseFailure e) {
            if (e.code() != TIMEOUT_EXCEEDED) {
                throw e;
            }
            Matcher unfinished = UNFINISHED.matcher(String.valueOf(e.getMessage()));
            hostsDown = unfinished.find() && Integer.parseInt(unfinished.group(1)) == 0;
            LOG.warn("Cluster {}: not every host has run '{}' yet; they run it from the distributed DDL queue (those "
                    + "that are down once they are back){}: {}", cluster.name(), statement.lines().findFirst()
                    .orElse(statement), hostsDown ? "; until a statement reaches every host again, the next ones wait "
                    + WHILE_HOSTS_DOWN_SECONDS + " s for them" : "", e.getMessage());
        }
    }

    @Override
    public void execute(String sql, Map<String, String> settings) {
        server.execute(cluster.onCluster(sql), settings);
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
