package io.cdcpipeline.testkit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A database of its own for one test on the stack's ClickHouse server, dropped when closed. */
public final class ClickHouseTestDatabase implements AutoCloseable {

    private final StackEndpoints stack;
    private final String name;

    private ClickHouseTestDatabase(StackEndpoints stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    public static ClickHouseTestDatabase create(StackEndpoints stack) {
        String name = TestNames.unique("it");
        execute(stack, "CREATE DATABASE " + name);
        return new ClickHouseTestDatabase(stack, name);
    }

    public String name() {
        return name;
    }

    /** The stack's ClickHouse HTTP URL. */
    public String url() {
        return stack.clickHouseUrl();
    }

    /** Runs a statement or query on the stack's server; the answer, trimmed (fails on an error). */
    public String query(String sql) {
        return StackHttp.expectOk("POST", stack.clickHouseUrl() + "/", sql).trim();
    }

    @Override
    public void close() {
        execute(stack, "DROP DATABASE IF EXISTS " + name);
    }

    private static void execute(StackEndpoints stack, String sql) {
        StackHttp.expectOk("POST", stack.clickHouseUrl() + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8), null);
    }

    @Override
    public String toString() {
        return "clickhouse database " + name;
    }
}
