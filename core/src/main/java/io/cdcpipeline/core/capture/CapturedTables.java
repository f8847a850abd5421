package io.cdcpipeline.core.capture;

import io.cdcpipeline.core.TableId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which tables a Debezium Postgres source captures, by its {@code table.include.list} and {@code table.exclude.list}:
 * comma-separated regular expressions matched, as Debezium matches them, against the whole {@code schema.table}
 * name, ignoring case. Without an include list every table outside Postgres's own schemas is captured.
 */
public final class CapturedTables {

    private final List<Pattern> include;
    private final List<Pattern> exclude;

    private CapturedTables(List<Pattern> include, List<Pattern> exclude) {
        this.include = include;
        this.exclude = exclude;
    }

    public static CapturedTables of(Map<String, String> source) {
        return new CapturedTables(patterns(source.get("table.include.list")), patterns(source.get("table.exclude.list")));
    }

    public boolean captures(TableId table) {
        String name = table.schema() + "." + table.table();
        if (table.schema().startsWith("pg_") || table.schema().equals("information_schema")) {
            return false;
        }
        boolean included = include.isEmpty() || include.stream().anyMatch(p -> p.matcher(name).matches());
        return included && exclude.stream().noneMatch(p -> p.matcher(name).matches());
    }

    private static List<Pattern> patterns(String list) {
        List<Pattern> patterns = new ArrayList<>();
        if (list != null) {
            for (String entry : list.split(",")) {
                if (!entry.isBlank()) {
                    patterns.add(Pattern.compile(entry.trim(), Pattern.CASE_INSENSITIVE));
                }
            }
        }
        return patterns;
    }
}
