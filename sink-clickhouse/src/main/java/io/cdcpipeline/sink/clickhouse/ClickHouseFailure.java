package io.cdcpipeline.sink.clickhouse;

import com.clickhouse.client.api.ClickHouseException;
import com.clickhouse.client.api.ServerException;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.errors.ConnectException;

/** A failed call to ClickHouse, with what the sink should do about it. */
final class ClickHouseFailure extends ConnectException {

    enum Kind {
        /** The server or the network is unavailable or overloaded: wait and try again. */
        RETRIABLE,
        /** The server rejected the data of an insert: some rows in it can never be written. */
        DATA,
        /**
         * The database, the account or the server takes no write at all (a missing database, a refused login, a
         * missing grant, a read-only server, a full disk): no row is at fault; the sink pauses until it is fixed.
         */
        UNAVAILABLE,
        /** Retrying will not help and no row is at fault, but one table is (a bad statement for it, a missing column). */
        FATAL
    }

    /**
     * Server codes worth retrying: timeouts, network errors, too many queries or parts, memory limits, read-only
     * replicas, Keeper trouble, and UNKNOWN_TABLE (60): a server that is starting answers before it has loaded its
     * tables, so a table the sink made is "unknown" for a moment (a table dropped by hand stays unknown: the retries
     * run out and the failure is reported; at the next start the sink makes the table again).
     */
    private static final Set<Integer> RETRIABLE_CODES = Set.of(3, 60, 159, 202, 203, 209, 210, 236, 241, 252,
            285, 319, 341, 394, 425, 439, 999);
    /**
     * Server codes that stop every write, each with what to do about it: UNKNOWN_DATABASE, READONLY,
     * UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, IP_ADDRESS_NOT_ALLOWED, TABLE_IS_READ_ONLY,
     * NOT_ENOUGH_SPACE, DATABASE_ACCESS_DENIED, ACCESS_DENIED, AUTHENTICATION_FAILED.
     */
    private static final Map<Integer, String> UNAVAILABLE_FIXES = Map.ofEntries(
            Map.entry(81, "The database of clickhouse.database does not exist: create it (CREATE DATABASE ...), or set "
                    + "auto.create.database=true and the sink creates it."),
            Map.entry(164, "The server is read-only for this user (a readonly profile or setting): writes resume once "
                    + "it takes them."),
            Map.entry(192, "ClickHouse does not know the user of clickhouse.user: check clickhouse.user."),
            Map.entry(193, "ClickHouse refused the password: check clickhouse.password."),
            Map.entry(194, "The user of clickhouse.user needs a password: set clickhouse.password."),
            Map.entry(195, "The user of clickhouse.user may not connect from this host: allow it in the user's "
                    + "networks."),
            Map.entry(242, "The table is read-only (a replica lost its Keeper session, or is being restored): writes "
                    + "resume once it takes them."),
            Map.entry(243, "The ClickHouse server's disk is full: free space on it; writes resume then."),
            Map.entry(291, "The user of clickhouse.user may not use the database of clickhouse.database: grant it."),
            Map.entry(497, "The user of clickhouse.user lacks a grant the sink needs (CREATE TABLE, ALTER, INSERT, "
                    + "SELECT on the database of clickhouse.database, and CREATE DATABASE with auto.create.database): "
                    + "grant it."),
            Map.entry(516, "ClickHouse refused the login: check clickhouse.user and clickhouse.password."));
    /** Server codes that concern one table, not a row nor every write. */
    private static final Set<Integer> FATAL_CODES = Set.of(10, 16, 46, 47, 62);

    private static final Pattern CODE_IN_TEXT = Pattern.compile("Code: (\\d+)");

    private final Kind kind;
    private final int code;

    ClickHouseFailure(String message, Kind kind, int code, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
    }

    Kind kind() {
        return kind;
    }

    /** The server's error code, or 0 when the call did not get an answer. */
    int code() {
        return code;
    }

    static ClickHouseFailure of(String what, Throwable error) {
        if (error instanceof ServerException server) {
            return ofServerError(what, codeOf(server), server.isRetryable(), server);
        }
        boolean retriable = error instanceof TimeoutException
                || (error instanceof ClickHouseException ch && ch.isRetryable()) || causedByIo(error);
        return new ClickHouseFailure(what + " failed: " + firstLine(error), retriable ? Kind.RETRIABLE : Kind.FATAL,
                0, error);
    }

    /** The client reads no code from the error text of servers before 19.x ("Code: 47, e.displayText() = ..."). */
    private static int codeOf(ServerException server) {
        if (server.getCode() > 0) {
            return server.getCode();
        }
        Matcher code = CODE_IN_TEXT.matcher(String.valueOf(server.getMessage()));
        return code.find() ? Integer.parseInt(code.group(1)) : 0;
    }

    /** A failure the server reported with an error code. */
    static ClickHouseFailure ofServerError(String what, int code, boolean retryable, Throwable error) {
        Kind kind = UNAVAILABLE_FIXES.containsKey(code) ? Kind.UNAVAILABLE
                : RETRIABLE_CODES.contains(code) || retryable ? Kind.RETRIABLE
                : FATAL_CODES.contains(code) ? Kind.FATAL : Kind.DATA;
        return new ClickHouseFailure(what + " failed with ClickHouse error " + code + ": " + firstLine(error), kind,
                code, error);
    }

    /** Whether a pause is for a database that does not exist (UNKNOWN_DATABASE). */
    static boolean isMissingDatabase(TargetUnavailableException pause) {
        return pause.getCause() instanceof ClickHouseFailure failure && failure.code == 81;
    }

    /**
     * How calls to ClickHouse are retried (core's {@link RetryBackoff}): RETRIABLE failures are tried again, an
     * UNAVAILABLE one pauses the sink with its fix, anything else is thrown as it is; {@code onRetry} hears of each
     * retry.
     */
    static RetryBackoff.Failures retries(Runnable onRetry) {
        return new RetryBackoff.Failures() {
            @Override
            public RuntimeException notRetried(RuntimeException e) {
                if (!(e instanceof ClickHouseFailure failure)) {
                    return e;
                }
                if (failure.kind() == Kind.UNAVAILABLE) {
                    return failure.asPause();
                }
                return failure.kind() == Kind.RETRIABLE ? null : failure;
            }

            @Override
            public void retrying(RuntimeException failure) {
                onRetry.run();
            }
        };
    }

    /** This failure as the pause it causes, with what to do about it. */
    TargetUnavailableException asPause() {
        return new TargetUnavailableException(getMessage() + ". " + UNAVAILABLE_FIXES.getOrDefault(code,
                "Writes resume once ClickHouse takes them.") + " Changes wait meanwhile; none is dead-lettered.", this);
    }

    private static boolean causedByIo(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(Throwable error) {
        String message = String.valueOf(error.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
