package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.TableId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Per-table settings, as keys {@code table.override.<schema>.<table>.<option>} with the options {@code name},
 * {@code partition.by} and {@code order.by}. A key that does not parse, an unknown option or an unsafe name fails
 * the config, naming the key.
 */
final class TableOverrides {

    static final String PREFIX = "table.override.";
    static final String NAME = "name";
    static final String PARTITION_BY = "partition.by";
    static final String ORDER_BY = "order.by";
    private static final List<String> OPTIONS = List.of(NAME, PARTITION_BY, ORDER_BY);

    private final Map<String, Map<String, String>> byTable;

    private TableOverrides(Map<String, Map<String, String>> byTable) {
        this.byTable = byTable;
    }

    static TableOverrides parse(Map<String, String> config) {
        Map<String, Map<String, String>> byTable = new HashMap<>();
        for (Map.Entry<String, String> entry : config.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String rest = key.substring(PREFIX.length());
            String option = OPTIONS.stream().filter(o -> rest.endsWith("." + o)).findFirst().orElseThrow(() ->
                    new ConfigException(key, entry.getValue(), "unknown table override; expected " + PREFIX
                            + "<schema>.<table>.<option> with an option out of " + OPTIONS));
            String table = rest.substring(0, rest.length() - option.length() - 1);
            int dot = table.indexOf('.');
            if (dot <= 0 || dot == table.length() - 1) {
                throw new ConfigException(key, entry.getValue(), "does not name a source table as <schema>.<table>");
            }
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            check(key, option, value);
            byTable.computeIfAbsent(table, t -> new HashMap<>()).put(option, value);
        }
        return new TableOverrides(byTable);
    }

    private static void check(String key, String option, String value) {
        if (option.equals(NAME)) {
            String problem = Identifiers.problem(value);
            if (problem != null) {
                throw new ConfigException(key, value, "is not a safe ClickHouse table name: it " + problem);
            }
        } else {
            checkClause(key, value, option.replace('.', ' ').toUpperCase());
        }
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

    private String option(TableId table, String option) {
        Map<String, String> options = byTable.get(table.schema() + "." + table.table());
        return options == null ? null : options.get(option);
    }
}
