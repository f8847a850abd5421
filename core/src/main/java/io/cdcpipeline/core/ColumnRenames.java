package io.cdcpipeline.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * Source columns renamed between two schemas of a table. Debezium's schema says only which columns there are, in
 * order; {@code RENAME COLUMN} keeps a column's place, while a dropped column leaves its place and an added one comes
 * last. So a column that is new at the same place, with the same type, as one that is gone was renamed. (A last
 * column dropped and another of its type added in one step looks the same, and is taken as a rename.)
 */
public final class ColumnRenames {

    private ColumnRenames() {
    }

    /** New name to old name, for every column of {@code after} that looks renamed from one of {@code before}. */
    public static Map<String, String> between(List<Field> before, List<Field> after) {
        Map<String, String> renamed = new LinkedHashMap<>();
        if (before.size() != after.size()) {
            return renamed;
        }
        List<String> beforeNames = before.stream().map(Field::name).toList();
        List<String> afterNames = after.stream().map(Field::name).toList();
        for (int i = 0; i < after.size(); i++) {
            String oldName = before.get(i).name();
            String newName = after.get(i).name();
            if (!oldName.equals(newName) && !afterNames.contains(oldName) && !beforeNames.contains(newName)
                    && sameType(before.get(i).schema(), after.get(i).schema())) {
                renamed.put(newName, oldName);
            }
        }
        return renamed;
    }

    private static boolean sameType(Schema a, Schema b) {
        return a.type() == b.type() && Objects.equals(a.name(), b.name()) && Objects.equals(a.parameters(), b.parameters());
    }
}
