package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.errors.DataException;

/**
 * What an insert into a wide table costs a server that writes every part "wide" (before compact parts, 20.4): two
 * buffers of 1 MB per column stream (a Nullable column has two streams, an array one more per level) while the part is
 * written. Past the server's {@code max_memory_usage} every insert into the table fails with a memory error, which
 * retrying cannot cure, so the table is refused at once with the remedies, and the other tables go on.
 */
final class WidePartMemory {

    static final long BYTES_PER_STREAM = 2L << 20;

    private WidePartMemory() {
    }

    /** Whether the server writes every part wide: its major.minor version before 20.4. */
    static boolean writesWideParts(String version) {
        String[] parts = version.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major < 20 || major == 20 && minor < 4;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The column streams a part of a table with these columns (and the sink's own, about four) holds. */
    static long streams(Map<String, ClickHouseType> columns) {
        long streams = 4;
        for (ClickHouseType type : columns.values()) {
            String sql = type.sql();
            streams += 1 + count(sql, "Nullable(") + count(sql, "Array(");
        }
        return streams;
    }

    /**
     * @param memoryLimit the server's {@code max_memory_usage} for the sink's user (0 for no limit), asked only of
     *                    a server that writes wide parts
     * @throws DataException when an insert into the table could never fit the server's memory limit
     */
    static void check(String version, LongSupplier memoryLimit, TableId source, String table,
            Map<String, ClickHouseType> columns) {
        if (!writesWideParts(version)) {
            return;
        }
        long maxMemoryUsage = memoryLimit.getAsLong();
        if (maxMemoryUsage <= 0) {
            return;
        }
        long streams = streams(columns);
        long needed = streams * BYTES_PER_STREAM;
        if (needed > maxMemoryUsage) {
            throw new DataException("ClickHouse table " + table + " for " + source + " would have " + columns.size()
                    + " columns (" + streams + " column streams): ClickHouse " + version + " writes every part with "
                    + "two 1 MB buffers per stream, about " + needed / (1L << 20) + " MB per insert, above this "
                    + "server's max_memory_usage of " + maxMemoryUsage / (1L << 20) + " MB, so no insert could "
                    + "succeed. Upgrade ClickHouse (20.4 and later write small inserts as compact parts), raise "
                    + "max_memory_usage for clickhouse.user, or leave columns out of the table, then replay the "
                    + "dead letters");
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
