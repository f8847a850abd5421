package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.SqlText;
import io.cdcpipeline.testkit.ChdbEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The sink's connection to the modern ClickHouse engine in {@code libchdb.so}: the same statements and the same
 * {@code RowBinary} insert bodies the HTTP connection sends, run by a real ClickHouse 26.x. Errors carry the
 * engine's error codes into the sink's own failure classification.
 */
final class ChdbConnection implements ClickHouseConnection {

    private final ChdbEngine engine;
    private final String version;

    ChdbConnection(ChdbEngine engine) {
        this.engine = engine;
        this.version = engine.query("SELECT version()", "TabSeparated").trim();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public void execute(String sql) {
        run(sql, sql.getBytes(StandardCharsets.UTF_8));
    }

    /** chdb runs statements in one process: no ON CLUSTER waits, so no per-statement setting is ever needed. */
    @Override
    public void execute(String sql, Map<String, String> settings) {
        if (!settings.isEmpty()) {
            throw new UnsupportedOperationException("the chdb connection takes no per-statement settings: " + settings);
        }
        execute(sql);
    }

    /**
     * The same RowBinary body the HTTP connection sends, read by the engine from a file: chdb does not read binary
     * data inline in a statement reliably (about a quarter of single-row bodies came back "Cannot read all data").
     */
    @Override
    public void insertRowBinary(String table, List<String> columns, byte[] rows) {
        Path body = null;
        try {
            body = Files.createTempFile(engine.dataDir(), "insert-", ".bin");
            Files.write(body, rows);
            String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") FROM INFILE "
                    + SqlText.literal(body.toString()) + " FORMAT RowBinary";
            run("INSERT INTO " + table, sql.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an insert body for chdb", e);
        } finally {
            if (body != null) {
                body.toFile().delete();
            }
        }
    }

    @Override
    public byte[] query(String sql) {
        return run(sql, sql.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] run(String what, byte[] statement) {
        try {
            // The SQL names its own output format where it has one; "TabSeparated" is only the default.
            return engine.query(statement, "TabSeparated");
        } catch (ChdbEngine.ChdbException e) {
            throw ClickHouseFailure.ofServerError(what.length() > 200 ? what.substring(0, 200) : what, e.code(), false, e);
        }
    }

    @Override
    public void close() {
        // the engine is shared by the JVM's tests
    }
}
