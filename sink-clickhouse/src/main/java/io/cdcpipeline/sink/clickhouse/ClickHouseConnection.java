package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the sink needs of a ClickHouse server: statements, {@code RowBinary} inserts with a column list, and raw
 * query answers. Failures are {@link ClickHouseFailure}s that say whether retrying can help.
 */
interface ClickHouseConnection extends AutoCloseable {

    /**
     * The connection a config asks for: to its one URL, or failing over between several; with each DDL statement
     * run {@code ON CLUSTER} when {@code clickhouse.cluster} is set.
     */
    static ClickHouseConnection open(ClickHouseSinkConfig config) {
        List<String> urls = config.urls();
        ClickHouseConnection server = urls.size() == 1 ? HttpClickHouseConnection.open(config, urls.get(0))
                : new FailoverConnection(urls, url -> HttpClickHouseConnection.open(config, url));
        ClickHouseCluster cluster = ClickHouseCluster.of(config);
        return cluster == null ? server : new ClusterConnection(server, cluster);
    }

    /** The server's {@code SELECT version()}. */
    String version();

    default ClickHouseDialect dialect() {
        return ClickHouseDialect.forVersion(version());
    }

    void execute(String sql);

    /** A statement with server settings of its own (e.g. how long an ON CLUSTER statement waits for its hosts). */
    void execute(String sql, Map<String, String> settings);

    /**
     * Inserts {@code RowBinary} rows.
     *
     * @param table   quoted {@code database.table}
     * @param columns quoted column names, in the order each row holds its values
     */
    void insertRowBinary(String table, List<String> columns, byte[] rows);

    /** The raw answer of a query whose SQL names its output format. */
    byte[] query(String sql);

    /**
     * The rows of a query's answer; the SQL must end in {@code FORMAT TabSeparated}. Escapes are undone and
     * {@code \N} reads as null.
     */
    default List<String[]> queryRows(String sql) {
        List<String[]> rows = new ArrayList<>();
        for (String line : new String(query(sql), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                rows.add(cells(line));
            }
        }
        return rows;
    }

    /**
     * The rows of a query's answer (SQL ending in {@code FORMAT TabSeparated}) handed over one by one as they
     * arrive, for answers too large to hold; not retried (a failure midway is thrown).
     */
    default void streamRows(String sql, Consumer<String[]> rows) {
        queryRows(sql).forEach(rows);
    }

    /** One TabSeparated line as its cells, escapes undone and {@code \N} read as null. */
    static String[] cells(String line) {
        String[] cells = line.split("\t", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = unescapeTabSeparated(cells[i]);
        }
        return cells;
    }

    @Override
    void close();

    private static String unescapeTabSeparated(String cell) {
        if (cell.indexOf('\\') < 0) {
            return cell;
        }
        if (cell.equals("\\N")) {
            return null;
        }
        StringBuilder out = new StringBuilder(cell.length());
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == '\\' && i + 1 < cell.length()) {
                char next = cell.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
