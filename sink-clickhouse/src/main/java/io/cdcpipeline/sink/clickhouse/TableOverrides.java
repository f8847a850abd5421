package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.sink.TableOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Per-table settings, as keys {@code table.override.<schema>.<table>.<option>} with the options {@code name},
 * {@code partition.by}, {@code order.by}, {@code ttl} (the table's own rows, e.g. an event table's) and
 * {@code history.ttl}. A key that does not parse, an unknown option or an unsafe name fails
 * the config, naming the key.
 */
final class TableOverrides {

    static final String PREFIX = "table.override.";
    static final String NAME = "name";
    static final String PARTITION_BY = "partition.by";
    static final String ORDER_BY = "order.by";
    static final String HISTORY_TTL = "history.ttl";
    static final String TTL = "ttl";

    private final TableOptions options;

    private TableOverrides(TableOptions options) {
        this.options = options;
    }

    static TableOverrides parse(Map<String, String> config) {
        Map<String, TableOptions.Check> checks = new LinkedHashMap<>();
        checks.put(PARTITION_BY, (key, value) -> checkClause(key, value, "PARTITION BY"));
        checks.put(ORDER_BY, (key, value) -> checkClause(key, value, "ORDER BY"));
        // history.ttl before ttl: option names are tried in order, and one ends like the other.
        checks.put(HISTORY_TTL, Retention::interval);
        checks.put(TTL, Retention::interval);
        checks.put(NAME, (key, value) -> {
            String problem = Identifiers.problem(value);
            if (problem != null) {
                throw new ConfigException(key, value, "is not a safe ClickHouse table name: it " + problem);
            }
        });
        return new TableOverrides(TableOptions.parse(config, PREFIX, "table override", checks));
    }

    /**
     * A clause pasted into the DDL the sink writes (PARTITION BY, ORDER BY): one expression, nothing that ends the
     * statement or comments out the rest of it, parentheses and quotes balanced.
     */
    static void checkClause(String key, String value, String clause) {
        if (value == null || value.isBlank()) {
            return;
        }
        if (value.contains(";") || value.contains("--") || value.contains("/*")) {
            throw new ConfigException(key, value, "must be a single " + clause + " expression without ';' or comments");
        }
        try {
            SortingKey.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, value, "is not a " + clause + " expression: " + e.getMessage());
        }
    }

    /** {@link #checkClause} as a validator of a setting. */
    static ConfigDef.Validator clause(String clause) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                checkClause(name, (String) value, clause);
            }

            @Override
            public String toString() {
                return "a single " + clause + " expression, parentheses and quotes balanced, no ';' or comments";
            }
        };
    }

    String name(TableId table) {
        return option(table, NAME);
    }

    String partitionBy(TableId table) {
        return option(table, PARTITION_BY);
    }

    String orderBy(TableId table) {
        String value = option(table, ORDER_BY);
        return value == null || value.isEmpty() ? null : value;
    }

    /** A table's retention override of {@code option} ({@link #TTL} or {@link #HISTORY_TTL}), or null. */
    String retention(TableId table, String option) {
        String value = option(table, option);
        return value == null ? null : Retention.interval(option, value);
    }

    private String option(TableId table, String option) {
        return options.get(table, option);
    }
}
