package io.cdcpipeline.embedded.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Captures real Debezium Postgres records (key and value as Connect JSON with schemas) for the change-event
 * model's unit tests. Run by hand against the local stack when the fixtures need renewing:
 * {@code java -cp <test classpath> io.cdcpipeline.embedded.capture.DebeziumRecordCapture JDBC_HOST PORT DB OUT.jsonl}.
 * The database must be empty; the capture creates its own tables.
 */
public final class DebeziumRecordCapture {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String db = args[2];
        Path out = Path.of(args[3]);
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        try (Connection conn = DriverManager.getConnection(url, "postgres", ""); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, name text, "
                    + "balance numeric(10,2), born date, updated_at timestamptz)");
            st.execute("CREATE TABLE order_items (order_id integer, line integer, sku text NOT NULL, qty integer NOT NULL, "
                    + "PRIMARY KEY (order_id, line))");
            st.execute("CREATE TABLE audit_log (message text)"); // no primary key
            st.execute("INSERT INTO customers VALUES (1, 'ada@example.com', 'Ada', 10.50, '1815-12-10', '2026-01-02 03:04:05.123456+00')");
            st.execute("INSERT INTO order_items VALUES (100, 1, 'sku-1', 2)");
        }

        Properties props = new Properties();
        props.setProperty("name", "capture");
        props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        props.setProperty("offset.flush.interval.ms", "1000");
        props.setProperty("database.hostname", host);
        props.setProperty("database.port", Integer.toString(port));
        props.setProperty("database.user", "postgres");
        props.setProperty("database.password", "");
        props.setProperty("database.dbname", db);
        props.setProperty("topic.prefix", "capture");
        props.setProperty("plugin.name", "pgoutput");
        props.setProperty("slot.name", db);
        props.setProperty("publication.name", db + "_pub");
        props.setProperty("publication.autocreate.mode", "filtered");
        props.setProperty("table.include.list", "public.customers,public.order_items,public.audit_log");
        props.setProperty("poll.interval.ms", "50");
        props.setProperty("skipped.operations", "none"); // capture truncates too
        props.setProperty("key.converter.schemas.enable", "true");
        props.setProperty("value.converter.schemas.enable", "true");

        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
                .using(props)
                .notifying(event -> lines.add("{\"topic\":\"" + event.destination() + "\",\"key\":" + event.key()
                        + ",\"value\":" + event.value() + "}"))
                .build()) {
            executor.execute(engine);
            List<String> captured = new ArrayList<>();
            drain(lines, captured, 2, 60);
            try (Connection conn = DriverManager.getConnection(url, "postgres", ""); Statement st = conn.createStatement()) {
                conn.setAutoCommit(false);
                st.execute("UPDATE customers SET name = 'Ada L.' WHERE id = 1");
                st.execute("UPDATE customers SET balance = 11.75 WHERE id = 1");
                conn.commit();
                st.execute("INSERT INTO customers VALUES (2, 'bob@example.com', NULL, NULL, NULL, NULL)");
                conn.commit();
                st.execute("DELETE FROM customers WHERE id = 2");
                conn.commit();
                st.execute("UPDATE order_items SET qty = 3 WHERE order_id = 100 AND line = 1");
                st.execute("INSERT INTO audit_log VALUES ('hello')");
                conn.commit();
                st.execute("TRUNCATE order_items");
                conn.commit();
            }
            // 2 updates + insert + delete + tombstone + item update + audit insert + truncate
            drain(lines, captured, 8, 60);
            Files.write(out, captured, StandardCharsets.UTF_8);
            System.out.println("captured " + captured.size() + " records into " + out);
        } finally {
            executor.shutdown();
            executor.awaitTermination(30, TimeUnit.SECONDS);
            try (Connection conn = DriverManager.getConnection(url, "postgres", ""); Statement st = conn.createStatement()) {
                st.execute("SELECT pg_drop_replication_slot('" + db + "')");
            } catch (Exception e) {
                System.err.println("could not drop slot " + db + ": " + e.getMessage());
            }
        }
    }

    private static void drain(LinkedBlockingQueue<String> from, List<String> to, int atLeast, int seconds)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int target = to.size() + atLeast;
        while (to.size() < target) {
            String line = from.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IOException("only " + to.size() + " of " + target + " records arrived within " + seconds + " s");
            }
            to.add(line);
        }
    }
}
