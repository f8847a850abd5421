package io.cdcpipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * The sink's connection to one ClickHouse server over HTTP (client-v2). Only the calls that work on every server
 * from 18.16 on: statements, JSONEachRow inserts and raw-stream reads of {@code FORMAT TabSeparated} results.
 */
final class ClickHouseServer implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 120;

    private final Client client;
    private final String url;
    private final String version;
    private final ClickHouseDialect dialect;

    private ClickHouseServer(Client client, String url) {
        this.client = client;
        this.url = url;
        this.version = queryLines("SELECT version() FORMAT TabSeparated").get(0);
        this.dialect = ClickHouseDialect.forVersion(version);
    }

    static ClickHouseServer connect(ClickHouseSinkConfig config) {
        Client client = new Client.Builder()
                .addEndpoint(config.url())
                .setUsername(config.user())
                .setPassword(config.password())
                .compressServerResponse(false) // 18.16 answers compressed responses with an empty body
                .build();
        try {
            return new ClickHouseServer(client, config.url());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    String version() {
        return version;
    }

    ClickHouseDialect dialect() {
        return dialect;
    }

    void execute(String sql) {
        release(await(client.execute(sql), sql));
    }

    void insertJsonEachRow(String table, byte[] rows) {
        release(await(client.insert(table, new ByteArrayInputStream(rows), ClickHouseFormat.JSONEachRow),
                "INSERT INTO " + table));
    }

    /** The lines of a query's answer; the SQL must end in {@code FORMAT TabSeparated}. */
    List<String> queryLines(String sql) {
        try (QueryResponse response = await(client.query(sql), sql)) {
            String text = new String(response.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (java.io.IOException e) {
            throw new RetriableException("reading the answer to '" + sql + "' from " + url + " failed", e);
        } catch (ConnectException e) {
            throw e;
        } catch (Exception e) {
            throw new ConnectException("query '" + sql + "' on " + url + " failed: " + e.getMessage(), e);
        }
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted during " + what, e);
        } catch (TimeoutException e) {
            throw new RetriableException(what + " on " + url + " did not finish within " + TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ConnectException(abbreviate(what) + " on " + url + " failed: " + cause.getMessage(), cause);
        }
    }

    /** Responses hold the HTTP connection until closed; their close() declares Exception. */
    private static void release(AutoCloseable response) {
        try {
            response.close();
        } catch (Exception e) {
            throw new ConnectException("releasing a ClickHouse response failed: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String sql) {
        return sql.length() > 300 ? sql.substring(0, 300) + "..." : sql;
    }

    @Override
    public void close() {
        client.close();
    }
}
