package io.cdcpipeline.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several endpoints of one ClickHouse cluster (the replicas of a shard, {@code clickhouse.url} with commas): calls
 * go to the endpoint that answered last; when it gives no answer at all (connection refused, reset, timed out) the
 * call goes to the next at once, so a replica that is down costs no backoff. A server's error answer is not failed
 * over: every replica would give it. An insert whose answer was lost may have been written; sent again to another
 * replica it is deduplicated by the replicated table (same block, same token).
 */
final class FailoverConnection implements ClickHouseConnection {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverConnection.class);

    private final List<String> urls;
    private final Function<String, ClickHouseConnection> opener;
    private final List<ClickHouseConnection> open = new ArrayList<>();
    private int current;
    private final String version;

    /** Opens the first endpoint that answers; if none does, the last one's failure is thrown. */
    FailoverConnection(List<String> urls, Function<String, ClickHouseConnection> opener) {
        this.urls = List.copyOf(urls);
        this.opener = opener;
        urls.forEach(url -> open.add(null));
        this.version = call("connecting", ClickHouseConnection::version);
    }

    /** The endpoint calls go to now. */
    String currentUrl() {
        return urls.get(current);
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void execute(String sql) {
        call(sql, c -> {
            c.execute(sql);
            return null;
        });
    }

    @Override
    public void execute(String sql, Map<String, String> settings) {
        call(sql, c -> {
            c.execute(sql, settings);
            return null;
        });
    }

    @Override
    public void insertRowBinary(String table, List<String> columns, byte[] rows) {
        call("INSERT INTO " + table, c -> {
            c.insertRowBinary(table, columns, rows);
            return null;
        });
    }

    @Override
    public byte[] query(String sql) {
        return call(sql, c -> c.query(sql));
    }

    @Override
    public void streamRows(String sql, Consumer<String[]> rows) {
        long[] handed = {0};
        call(sql, c -> {
            try {
                c.streamRows(sql, row -> {
                    handed[0]++;
                    rows.accept(row);
                });
            } catch (ClickHouseFailure e) {
                if (handed[0] > 0) {
                    // Rows of this answer were handed over: starting again elsewhere would hand them over twice.
                    throw new ClickHouseFailure(e.getMessage(), ClickHouseFailure.Kind.FATAL, e.code(), e);
                }
                throw e;
            }
            return null;
        });
    }

    private synchronized <T> T call(String what, Function<ClickHouseConnection, T> call) {
        ClickHouseFailure last = null;
        for (int attempt = 0; attempt < urls.size(); attempt++) {
            int index = (current + attempt) % urls.size();
            try {
                ClickHouseConnection connection = open.get(index);
                if (connection == null) {
                    connection = opener.apply(urls.get(index));
                    open.set(index, connection);
                }
                T result = call.apply(connection);
                if (index != current) {
                    LOG.warn("ClickHouse calls go to {} now ({} did not answer)", urls.get(index), urls.get(current));
                    current = index;
                }
                return result;
            } catch (ClickHouseFailure e) {
                if (!unanswered(e)) {
                    throw e;
                }
                LOG.warn("ClickHouse at {} did not answer ({}){}", urls.get(index), e.getMessage(),
                        attempt + 1 < urls.size() ? ": trying " + urls.get((index + 1) % urls.size()) : "");
                last = e;
            }
        }
        throw last;
    }

    /** No server answered: the network, or a server that is down or hangs. */
    private static boolean unanswered(ClickHouseFailure failure) {
        return failure.kind() == ClickHouseFailure.Kind.RETRIABLE && failure.code() == 0;
    }

    @Override
    public synchronized void close() {
        for (ClickHouseConnection connection : open) {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
