package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.testkit.ChdbEngine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

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

    @Override
    public void insertRowBinary(String table, List<String> columns, byte[] rows) {
        ByteArrayOutputStream statement = new ByteArrayOutputStream(rows.length + 256);
        statement.writeBytes(("INSERT INTO " + table + " (" + String.join(", ", columns) + ") FORMAT RowBinary\n")
                .getBytes(StandardCharsets.UTF_8));
        statement.writeBytes(rows);
        run("INSERT INTO " + table, statement.toByteArray());
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
