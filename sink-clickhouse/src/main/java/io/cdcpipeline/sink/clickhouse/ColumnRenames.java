package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;

/**
 * Source columns renamed between two schemas of a table. Debezium's schema says only which columns there are, in
 * order; {@code RENAME COLUMN} keeps a column's place, while a dropped column leaves its place and an added one comes
 * last. So a column that is new at the same place, with the same type, as one that is gone was renamed. (A last
 * column dropped and another of its type added in one step looks the same, and is taken as a rename.)
 */
final class ColumnRenames {

    private ColumnRenames() {
    }

    /**
     * New name to old name, for the renames between {@code before} and {@code after}: the old column still in
     * ClickHouse ({@code existing}, name to type), the new one not, neither a key column.
     */
    static Map<String, String> between(List<Field> before, List<Field> after, Map<String, ClickHouseType> wanted,
            Map<String, String> existing, List<String> keyColumns) {
        Map<String, String> renamed = new LinkedHashMap<>();
        if (before.size() != after.size()) {
            return renamed;
        }
        List<String> afterNames = after.stream().map(Field::name).toList();
        for (int i = 0; i < after.size(); i++) {
            String oldName = before.get(i).name();
            String newName = after.get(i).name();
            String oldType = existing.get(oldName);
            if (!oldName.equals(newName) && !afterNames.contains(oldName) && !existing.containsKey(newName)
                    && oldType != null && wanted.get(newName).sameAs(oldType) && !keyColumns.contains(newName)
                    && !keyColumns.contains(oldName)) {
                renamed.put(newName, oldName);
            }
        }
        return renamed;
    }
}
