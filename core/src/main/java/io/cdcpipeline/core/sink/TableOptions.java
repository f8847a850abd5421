package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.TableId;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Per-table settings of a sink, as keys {@code <prefix><schema>.<table>.<option>} (the ClickHouse sink's
 * {@code table.override.}, the Elasticsearch sink's {@code index.override.}). A key with an unknown option, one that
 * names no table, or a value its option's check refuses fails the config, naming the key.
 */
public final class TableOptions {

    /** Checks one option's value; throws a {@link ConfigException} naming {@code key}. */
    @FunctionalInterface
    public interface Check {
        void check(String key, String value);
    }

    private final Map<String, Map<String, String>> byTable;

    private TableOptions(Map<String, Map<String, String>> byTable) {
        this.byTable = byTable;
    }

    /**
     * Reads every key under {@code prefix}; {@code options} are the option names this sink knows, in the order they
     * are tried (a longer name that ends like a shorter one first), each with its check of a trimmed value.
     */
    public static TableOptions parse(Map<String, String> config, String prefix, String what,
            Map<String, Check> options) {
        Map<String, Map<String, String>> byTable = new HashMap<>();
        for (Map.Entry<String, String> entry : config.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(prefix)) {
                continue;
            }
            String rest = key.substring(prefix.length());
            String option = options.keySet().stream().filter(o -> rest.endsWith("." + o)).findFirst().orElseThrow(
                    () -> new ConfigException(key, entry.getValue(), "unknown " + what + "; expected " + prefix
                            + "<schema>.<table>.<option> with an option out of " + options.keySet()));
            String table = rest.substring(0, rest.length() - option.length() - 1);
            int dot = table.indexOf('.');
            if (dot <= 0 || dot == table.length() - 1) {
                throw new ConfigException(key, entry.getValue(), "does not name a source table as <schema>.<table>");
            }
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            options.get(option).check(key, value);
            byTable.computeIfAbsent(table, t -> new HashMap<>()).put(option, value);
        }
        return new TableOptions(byTable);
    }

    /** A table's value of {@code option}, or null when it has none. */
    public String get(TableId table, String option) {
        Map<String, String> options = byTable.get(table.schema() + "." + table.table());
        return options == null ? null : options.get(option);
    }
}
