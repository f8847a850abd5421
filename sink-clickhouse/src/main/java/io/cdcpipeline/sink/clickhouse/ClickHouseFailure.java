package io.cdcpipeline.sink.clickhouse;

import com.clickhouse.client.api.ClickHouseException;
import com.clickhouse.client.api.ServerException;
import java.io.IOException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.errors.ConnectException;

/** A failed call to ClickHouse, with what the sink should do about it. */
final class ClickHouseFailure extends ConnectException {

    enum Kind {
        /** The server or the network is unavailable or overloaded: wait and try again. */
        RETRIABLE,
        /** The server rejected the data of an insert: some rows in it can never be written. */
        DATA,
        /** Retrying will not help and no row is at fault (a missing table, no permission, a bad statement). */
        FATAL
    }

    /**
     * Server codes worth retrying: timeouts, network errors, too many queries or parts, memory limits, read-only
     * replicas, Keeper trouble.
     */
    private static final Set<Integer> RETRIABLE_CODES = Set.of(3, 159, 164, 202, 203, 209, 210, 236, 241, 242, 252,
            285, 319, 341, 394, 425, 439, 999);
    /** Server codes that concern the table or the account, not a row. */
    private static final Set<Integer> FATAL_CODES = Set.of(10, 16, 46, 47, 60, 62, 81, 192, 193, 194, 497, 516);

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
        Kind kind = RETRIABLE_CODES.contains(code) || retryable ? Kind.RETRIABLE
                : FATAL_CODES.contains(code) ? Kind.FATAL : Kind.DATA;
        return new ClickHouseFailure(what + " failed with ClickHouse error " + code + ": " + firstLine(error), kind,
                code, error);
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
