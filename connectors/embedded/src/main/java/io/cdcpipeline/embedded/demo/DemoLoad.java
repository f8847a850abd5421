package io.cdcpipeline.embedded.demo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo's source side: creates a small shop schema (customers, orders, order items) with some rows, then keeps
 * committing a realistic mix of transactions at a steady rate until stopped: new orders with their items, status
 * changes, balance updates, new customers, and deletes of old orders.
 */
@Command(name = "demo-load", mixinStandardHelpOptions = true, description = "Create the demo schema and write changes.")
public final class DemoLoad implements Callable<Integer> {

    @Option(names = "--jdbc-url", required = true, description = "JDBC URL of the demo database.")
    String jdbcUrl;

    @Option(names = "--user", defaultValue = "postgres", description = "Database user (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--rate", defaultValue = "50", description = "Transactions per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--create-schema", description = "Create the tables and seed rows first.")
    boolean createSchema;

    @Option(names = "--seconds", defaultValue = "0", description = "Stop after this many seconds; 0 runs until killed.")
    long seconds;

    private final Random random = new Random(42);

    public static void main(String[] args) {
        System.exit(new CommandLine(new DemoLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try (Connection conn = DriverManager.getConnection(jdbcUrl, user, "")) {
            if (createSchema) {
                createSchema(conn);
                return 0;
            }
            conn.setAutoCommit(false);
            long start = System.nanoTime();
            long done = 0;
            long nextOrder = maxId(conn, "orders") + 1;
            long nextCustomer = maxId(conn, "customers") + 1;
            while (seconds == 0 || System.nanoTime() - start < seconds * 1_000_000_000L) {
                int pick = random.nextInt(100);
                if (pick < 50) {
                    newOrder(conn, nextOrder++, nextCustomer - 1);
                } else if (pick < 75) {
                    execute(conn, "UPDATE orders SET status = (ARRAY['paid','shipped','delivered'])[1 + floor(random() * 3)::int] "
                            + "WHERE id = " + (1 + random.nextInt((int) Math.max(1, nextOrder - 1))));
                } else if (pick < 85) {
                    execute(conn, "UPDATE customers SET balance = balance + " + random.nextInt(100) + ", updated_at = now() "
                            + "WHERE id = " + (1 + random.nextInt((int) Math.max(1, nextCustomer - 1))));
                } else if (pick < 95) {
                    long id = nextCustomer++;
                    execute(conn, "INSERT INTO customers VALUES (" + id + ", 'customer" + id + "@example.com', 'Customer "
                            + id + "', 0, now())");
                } else {
                    long id = 1 + random.nextInt((int) Math.max(1, nextOrder - 1));
                    execute(conn, "DELETE FROM order_items WHERE order_id = " + id);
                    execute(conn, "DELETE FROM orders WHERE id = " + id);
                }
                conn.commit();
                done++;
                long due = start + done * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                }
            }
            System.out.println("demo-load: committed " + done + " transactions");
        }
        return 0;
    }

    private void createSchema(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text, "
                    + "balance numeric(12,2) NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers, "
                    + "status text NOT NULL, total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
            st.execute("CREATE TABLE order_items (order_id bigint REFERENCES orders, line integer, sku text NOT NULL, "
                    + "qty integer NOT NULL, price numeric(10,2) NOT NULL, PRIMARY KEY (order_id, line))");
            // The lag monitor's heartbeat, captured with the shop (its publication is made from the include list
            // when the pipeline starts, so the table must exist by then).
            st.execute("CREATE TABLE cdc_heartbeat (id integer PRIMARY KEY, beat_ms bigint NOT NULL, "
                    + "beat_at timestamptz NOT NULL)");
            st.execute("INSERT INTO customers SELECT g, 'customer' || g || '@example.com', 'Customer ' || g, "
                    + "(g * 7) % 500, now() FROM generate_series(1, 100) g");
            st.execute("INSERT INTO orders SELECT g, 1 + g % 100, 'new', 0, now() FROM generate_series(1, 500) g");
            st.execute("INSERT INTO order_items SELECT o, l, 'sku-' || ((o * l) % 40), 1 + (o + l) % 3, 5 + (o * l) % 50 "
                    + "FROM generate_series(1, 500) o, generate_series(1, 2) l");
            st.execute("UPDATE orders o SET total = (SELECT sum(qty * price) FROM order_items i WHERE i.order_id = o.id)");
        }
        System.out.println("demo-load: created customers (100), orders (500) and order_items (1000)");
    }

    private void newOrder(Connection conn, long id, long maxCustomer) throws SQLException {
        int lines = 1 + random.nextInt(3);
        try (PreparedStatement order = conn.prepareStatement("INSERT INTO orders VALUES (?, ?, 'new', 0, now())");
             PreparedStatement item = conn.prepareStatement("INSERT INTO order_items VALUES (?, ?, ?, ?, ?)")) {
            order.setLong(1, id);
            order.setLong(2, 1 + random.nextInt((int) Math.max(1, maxCustomer)));
            order.executeUpdate();
            for (int line = 1; line <= lines; line++) {
                item.setLong(1, id);
                item.setInt(2, line);
                item.setString(3, "sku-" + random.nextInt(40));
                item.setInt(4, 1 + random.nextInt(3));
                item.setBigDecimal(5, BigDecimal.valueOf(500 + random.nextInt(5000), 2));
                item.executeUpdate();
            }
        }
        execute(conn, "UPDATE orders SET total = (SELECT sum(qty * price) FROM order_items WHERE order_id = " + id
                + ") WHERE id = " + id);
    }

    private static void execute(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    private static long maxId(Connection conn, String table) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
