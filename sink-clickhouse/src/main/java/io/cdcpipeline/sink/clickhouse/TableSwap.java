package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a rebuilt table in its table's place and keeps the old rows under another name. On one server, or a cluster
 * of one shard, that is a {@code RENAME} of the two tables. On a sharded cluster the rows live in the per-shard
 * tables, so those are renamed (the Distributed table of the name then reads the rebuilt rows at once), and the
 * Distributed tables are made again: the table's with the rebuild's columns and sharding key, and one that reads the
 * kept rows. Each step is skipped once done, so a stop between steps is finished by calling again (the sink does at
 * its next start: {@link #interrupted}).
 */
final class TableSwap {

    private static final Logger LOG = LoggerFactory.getLogger(TableSwap.class);

    private final ClickHouseCluster cluster;
    private final String database;
    private final Function<String, String> qualified;
    private final Consumer<String> execute;
    private final Function<String, List<String[]>> query;

    /** @param cluster the cluster tables are replicated on, or null */
    TableSwap(ClickHouseCluster cluster, String database, Function<String, String> qualified,
            Consumer<String> execute, Function<String, List<String[]>> query) {
        this.cluster = cluster;
        this.database = database;
        this.qualified = qualified;
        this.execute = execute;
        this.query = query;
    }

    /**
     * Whether a swap of {@code rebuild} stopped half way: on a sharded cluster its Distributed table is left while
     * its rows were renamed into the table's place already.
     */
    boolean interrupted(String rebuild) {
        return sharded() && exists(rebuild) && !exists(cluster.localOf(rebuild));
    }

    /** Puts {@code rebuild} in {@code name}'s place; {@code name}'s rows, if it has any table, go to {@code replaced}. */
    void swap(String name, String rebuild, String replaced) {
        if (!sharded()) {
            if (!exists(rebuild)) {
                return;
            }
            execute.accept(exists(name) ? "RENAME TABLE " + q(name) + " TO " + q(replaced) + ", " + q(rebuild)
                    + " TO " + q(name) : "RENAME TABLE " + q(rebuild) + " TO " + q(name));
            return;
        }
        String local = cluster.localOf(name);
        String rebuildLocal = cluster.localOf(rebuild);
        String replacedLocal = cluster.localOf(replaced);
        if (exists(rebuildLocal)) {
            if (exists(local)) {
                execute.accept("RENAME TABLE " + q(local) + " TO " + q(replacedLocal) + ", " + q(rebuildLocal)
                        + " TO " + q(local));
                execute.accept("CREATE TABLE IF NOT EXISTS " + q(replaced) + " AS " + q(replacedLocal)
                        + " ENGINE = " + cluster.distributedReadEngine(database, replacedLocal));
            } else {
                execute.accept("RENAME TABLE " + q(rebuildLocal) + " TO " + q(local));
            }
        }
        if (exists(rebuild)) {
            // The rebuild's Distributed table names its per-shard table: the same engine, naming the table's.
            String engine = engineOf(rebuild);
            String from = SqlText.literal(rebuildLocal);
            if (!engine.contains(from)) {
                throw new IllegalStateException("the Distributed table " + q(rebuild) + " does not read " + from
                        + " as the sink made it (ENGINE = " + engine + "): swap it in by hand");
            }
            execute.accept("DROP TABLE IF EXISTS " + q(name));
            execute.accept("CREATE TABLE IF NOT EXISTS " + q(name) + " AS " + q(local) + " ENGINE = "
                    + engine.replace(from, SqlText.literal(local)));
            execute.accept("DROP TABLE IF EXISTS " + q(rebuild));
            LOG.info("Swapped the per-shard tables {} into {} and made the Distributed table {} again", rebuildLocal,
                    local, q(name));
        }
    }

    /** Drops a table: on a sharded cluster its Distributed table and its per-shard tables. */
    void drop(String table) {
        execute.accept("DROP TABLE IF EXISTS " + q(table));
        if (sharded()) {
            execute.accept("DROP TABLE IF EXISTS " + q(cluster.localOf(table)));
        }
    }

    private boolean sharded() {
        return cluster != null && cluster.distributed();
    }

    private boolean exists(String table) {
        return !query.apply("SELECT name FROM system.tables WHERE database = " + SqlText.literal(database)
                + " AND name = " + SqlText.literal(table) + " FORMAT TabSeparated").isEmpty();
    }

    private String engineOf(String table) {
        return query.apply("SELECT engine_full FROM system.tables WHERE database = " + SqlText.literal(database)
                + " AND name = " + SqlText.literal(table) + " FORMAT TabSeparated").get(0)[0];
    }

    private String q(String table) {
        return qualified.apply(table);
    }
}
