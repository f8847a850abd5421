package io.cdcpipeline.testkit;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The modern ClickHouse engine (26.x) that the npm package {@code chdb} ships as {@code libchdb.so}, called in
 * process through JNA. It has no network listener, so no driver reaches it; tests use it to run the exact SQL and
 * {@code RowBinary} bytes the sink sends to modern servers. {@code bin/cdc stack up} installs it under the work
 * dir; {@code CDC_CHDB_LIB} points elsewhere. One engine per JVM: the library holds global state.
 * <p>
 * Every call into the library runs on one thread of its own: ClickHouse keeps per-thread state, and calls from the
 * many threads of a sink (whose insert threads come and go) once left a query that never returned. A query that
 * does not return within {@value #TIMEOUT_SECONDS} s fails its test with the statement named, instead of hanging
 * the build.
 */
public final class ChdbEngine implements AutoCloseable {

    private static final Pattern CODE = Pattern.compile("Code: (\\d+)");
    static final long TIMEOUT_SECONDS = 180;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "chdb");
                t.setDaemon(true);
                return t;
            });
    private static ChdbEngine shared;

    private final Api api;
    private final Pointer connection; // chdb_connection* as chdb_connect returned it
    private final Path dataDir;

    /** The JVM's engine, opened on first use over a fresh data directory under target/. */
    public static synchronized ChdbEngine shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "chdb-");
                shared = new ChdbEngine(library(), dir);
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a data directory for chdb", e);
            }
        }
        return shared;
    }

    private ChdbEngine(Path library, Path dataDir) {
        this.dataDir = dataDir;
        this.api = onEngineThread("loading chdb", () -> {
            Api loaded = Native.load(library.toString(), Api.class);
            loaded.chdb_set_signal_handlers_enabled(false); // its handlers would fight the JVM's
            return loaded;
        });
        this.connection = onEngineThread("chdb_connect", () -> api.chdb_connect(2,
                new String[] {"clickhouse", "--path=" + dataDir}));
        if (connection == null || connection.getPointer(0) == null) {
            throw new IllegalStateException("chdb_connect failed for " + dataDir);
        }
    }

    /** Runs {@code call} on the engine's thread and waits for it, at most {@value #TIMEOUT_SECONDS} s. */
    private <T> T onEngineThread(String what, Callable<T> call) {
        Future<T> result = thread.submit(call);
        try {
            return result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("chdb did not answer within " + TIMEOUT_SECONDS + " s: " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for chdb: " + what, e);
        }
    }

    private static Path library() {
        String configured = System.getenv("CDC_CHDB_LIB");
        String workDir = System.getenv("CDC_WORK_DIR");
        Path work = workDir != null && !workDir.isBlank() ? Path.of(workDir) : ProjectRoot.path().resolve(".work");
        Path path = configured != null && !configured.isBlank() ? Path.of(configured)
                : work.resolve("chdb/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so");
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("libchdb.so not found at " + path + "; 'bin/cdc stack up' installs it "
                    + "(npm package chdb), or set CDC_CHDB_LIB");
        }
        return path;
    }

    /** Runs one statement; its text may hold binary data (an INSERT ... FORMAT RowBinary body). */
    public synchronized byte[] query(byte[] sql, String format) {
        String head = new String(sql, 0, Math.min(sql.length, 120), StandardCharsets.UTF_8);
        return onEngineThread(head, () -> run(sql, format));
    }

    private byte[] run(byte[] sql, String format) {
        Memory text = new Memory(sql.length + 1L);
        text.write(0, sql, 0, sql.length);
        text.setByte(sql.length, (byte) 0);
        try {
            Pointer result = api.chdb_query_n(connection.getPointer(0), text, sql.length, format, format.length());
            if (result == null) {
                throw new ChdbException(0, "chdb_query_n returned no result");
            }
            try {
                String error = api.chdb_result_error(result);
                if (error != null && !error.isEmpty()) {
                    Matcher code = CODE.matcher(error);
                    throw new ChdbException(code.find() ? Integer.parseInt(code.group(1)) : 0, error.trim());
                }
                long length = api.chdb_result_length(result);
                Pointer buffer = api.chdb_result_buffer(result);
                return length == 0 || buffer == null ? new byte[0] : buffer.getByteArray(0, (int) length);
            } finally {
                api.chdb_destroy_query_result(result);
            }
        } finally {
            // The statement's native memory is freed when its Memory object is collected; without this fence the
            // JIT may treat it as unreachable while chdb still reads it, and a GC then hands chdb freed memory.
            Reference.reachabilityFence(text);
        }
    }

    /** Runs a statement and returns its answer as text in {@code format}. */
    public String query(String sql, String format) {
        return new String(query(sql.getBytes(StandardCharsets.UTF_8), format), StandardCharsets.UTF_8);
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        try {
            onEngineThread("chdb_close_conn", () -> {
                api.chdb_close_conn(connection);
                return null;
            });
        } finally {
            thread.shutdown();
        }
    }

    /** A statement the engine refused, with ClickHouse's error code. */
    public static final class ChdbException extends RuntimeException {
        private final int code;

        ChdbException(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** The C API of libchdb (chdb.h), as far as the tests use it. */
    interface Api extends Library {
        void chdb_set_signal_handlers_enabled(boolean enabled);

        Pointer chdb_connect(int argc, String[] argv);

        void chdb_close_conn(Pointer connection);

        Pointer chdb_query_n(Pointer connection, Pointer query, long queryLength, String format, long formatLength);

        String chdb_result_error(Pointer result);

        long chdb_result_length(Pointer result);

        Pointer chdb_result_buffer(Pointer result);

        void chdb_destroy_query_result(Pointer result);
    }
}
