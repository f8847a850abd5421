package io.cdcpipeline.core.consistency;

import java.util.List;

/**
 * The primary-key columns of a table as a check against the source compares them: their names in key order, and
 * which are numbers (a composite key's Elasticsearch document id writes those unquoted).
 */
public record KeyColumns(List<String> names, List<Boolean> numeric) {

    public KeyColumns {
        names = List.copyOf(names);
        numeric = List.copyOf(numeric);
        if (names.size() != numeric.size() || names.isEmpty()) {
            throw new IllegalArgumentException("key columns " + names + " and kinds " + numeric + " do not match");
        }
    }

    public int size() {
        return names.size();
    }
}
