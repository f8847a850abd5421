package io.cdcpipeline.sink.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandSettings;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.data.ClickHouseFormat;
import io.cdcpipeline.sink.clickhouse.dialect.LegacyDialect;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The connection to a ClickHouse server over HTTP (client-v2), using only what works on every server from 18.16
 * on: statements, {@code RowBinary} inserts and raw-stream reads. The client's own retries are off: the sink
 * retries with backoff and knows which failures are worth it.
 */
final class HttpClickHouseConnection implements ClickHouseConnection {

    /**
     * Statements longer than this are sent at the head of the request body: the client puts its statement in the
     * URL, and servers refuse URLs past 16 KB (a table of a thousand columns names them all in its INSERT).
     */
    static final int LONGEST_STATEMENT_IN_URL = 4_000;
    private static final Pattern SERVER_CODE = Pattern.compile("Code: (\\d+)");

    private final Client client;
    private final String url;
    private final long timeoutSeconds;
    private final String version;
    private final String user;
    private final String password;
    private final HttpClient http;

    private final boolean deduplicationTokens;
    private final int insertQuorum;
    private final boolean distributedSync;

    private HttpClickHouseConnection(Client client, ClickHouseSinkConfig config, String url, long timeoutSeconds) {
        this.client = client;
        this.url = url;
        this.user = config.user();
        this.password = config.password();
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMs())).build();
        this.timeoutSeconds = timeoutSeconds;
        this.version = new String(query("SELECT version() FORMAT TabSeparated"), StandardCharsets.UTF_8)
                .trim();
        // Replicated tables deduplicate a retried insert by its token (22.2 and later) or, before, by a hash of its
        // block, which our retries resend unchanged.
        this.deduplicationTokens = !config.cluster().isEmpty() && !(dialect() instanceof LegacyDialect);
        this.insertQuorum = config.cluster().isEmpty() ? 0 : config.clusterInsertQuorum();
        this.distributedSync = !config.cluster().isEmpty() && config.clusterDistributed();
    }

    /** A connection to the one server of {@code url}, one of the config's URLs. */
    static HttpClickHouseConnection open(ClickHouseSinkConfig config, String url) {
        Client.Builder builder = new Client.Builder()
                .addEndpoint(url)
                .setUsername(config.user())
                .setPassword(config.password())
                .compressServerResponse(false) // 18.16 answers compressed responses with an empty body
                .setMaxRetries(0)
                .setConnectTimeout(config.connectTimeoutMs(), ChronoUnit.MILLIS)
                .setSocketTimeout(config.requestTimeoutMs(), ChronoUnit.MILLIS);
        if (!config.cluster().isEmpty()) {
            builder.serverSetting("distributed_ddl_task_timeout", Long.toString(config.clusterDdlTimeoutSeconds()));
            if (config.clusterDistributed()) {
                // Inserts into a Distributed table reach the shards before they are acknowledged, so a failure is
                // the sink's to retry (the block is then deduplicated on each shard), not a queue's on one server.
                builder.serverSetting("insert_distributed_sync", "1");
            }
            if (config.clusterInsertQuorum() > 0) {
                builder.serverSetting("insert_quorum", Integer.toString(config.clusterInsertQuorum()));
            }
        }
        Client client = builder.build();
        try {
            return new HttpClickHouseConnection(client, config, url, config.requestTimeoutMs() / 1000 + 5);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void execute(String sql) {
        release(await(() -> client.execute(sql), sql));
    }

    @Override
    public void execute(String sql, Map<String, String> settings) {
        CommandSettings command = new CommandSettings();
        settings.forEach(command::serverSetting);
        release(await(() -> client.execute(sql, command), sql));
    }

    @Override
    public void insertRowBinary(String table, List<String> columns, byte[] rows) {
        // The column list goes into the table clause so our quoting, not the client's, applies to every name.
        String target = table + " (" + String.join(", ", columns) + ")";
        String token = deduplicationTokens ? deduplicationToken(target, rows) : null;
        if (target.length() > LONGEST_STATEMENT_IN_URL) {
            insertWithStatementInBody(table, target, rows, token);
            return;
        }
        InsertSettings settings = new InsertSettings();
        if (token != null) {
            settings.setDeduplicationToken(token);
        }
        release(await(() -> client.insert(target, new ByteArrayInputStream(rows), ClickHouseFormat.RowBinary, settings),
                "INSERT INTO " + table));
    }

    /**
     * The same for the same rows into the same columns: a batch sent again after its answer was lost (to this
     * replica or another) is recognised by the replicated table and not inserted twice.
     */
    static String deduplicationToken(String target, byte[] rows) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(target.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(rows);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The statement, then the rows, in the body of one POST: the form of an insert with no limit on its columns. */
    private void insertWithStatementInBody(String table, String target, byte[] rows, String token) {
        String what = "INSERT INTO " + table;
        byte[] statement = ("INSERT INTO " + target + " FORMAT RowBinary\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create((url.endsWith("/") ? url : url + "/") + "?insert_quorum=" + insertQuorum
                                + (distributedSync ? "&insert_distributed_sync=1" : "")
                                + (token == null ? "" : "&insert_deduplication_token=" + token)))
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(statement),
                        HttpRequest.BodyPublishers.ofByteArray(rows)));
        if (user != null && !user.isEmpty()) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":"
                    + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted during " + what, e);
        } catch (IOException e) {
            throw ClickHouseFailure.of(what + " on " + url, e);
        }
        if (response.statusCode() != 200) {
            Matcher code = SERVER_CODE.matcher(response.body());
            throw ClickHouseFailure.ofServerError(what + " on " + url, code.find() ? Integer.parseInt(code.group(1)) : 0,
                    false, new ConnectException("HTTP " + response.statusCode() + ": " + response.body().trim()));
        }
    }


    @Override
    public byte[] query(String sql) {
        try (QueryResponse response = await(() -> client.query(sql), sql)) {
            return response.getInputStream().readAllBytes();
        } catch (ClickHouseFailure e) {
            throw e;
        } catch (Exception e) {
            throw ClickHouseFailure.of("reading the answer to '" + abbreviate(sql) + "' from " + url, e);
        }
    }

    @Override
    public void streamRows(String sql, Consumer<String[]> rows) {
        try (QueryResponse response = await(() -> client.query(sql), sql);
                BufferedReader in = new BufferedReader(new InputStreamReader(
                        response.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    rows.accept(ClickHouseConnection.cells(line));
                }
            }
        } catch (ClickHouseFailure e) {
            throw e;
        } catch (Exception e) {
            throw ClickHouseFailure.of("reading the answer to '" + abbreviate(sql) + "' from " + url, e);
        }
    }

    private <T> T await(Supplier<CompletableFuture<T>> call, String what) {
        CompletableFuture<T> future = null;
        try {
            future = call.get();
            return future.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted during " + abbreviate(what), e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw ClickHouseFailure.of(abbreviate(what) + " on " + url + " (no answer within " + timeoutSeconds + " s)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw ClickHouseFailure.of(abbreviate(what) + " on " + url, cause);
        } catch (RuntimeException e) {
            throw ClickHouseFailure.of(abbreviate(what) + " on " + url, e);
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
