package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;

/**
 * The source columns renamed between two schemas of a table ({@link io.cdcpipeline.core.ColumnRenames}) that
 * ClickHouse can follow: the old column still in the table, the new one not, with a type the old column holds,
 * neither a key column.
 */
final class ColumnRenames {

    private ColumnRenames() {
    }

    /** New name to old name; {@code existing} is the ClickHouse table's columns, name to type. */
    static Map<String, String> between(List<Field> before, List<Field> after, Map<String, ClickHouseType> wanted,
            Map<String, String> existing, List<String> keyColumns) {
        Map<String, String> renamed = new LinkedHashMap<>();
        io.cdcpipeline.core.ColumnRenames.between(before, after).forEach((newName, oldName) -> {
            String oldType = existing.get(oldName);
            if (!existing.containsKey(newName) && oldType != null && wanted.get(newName).sameAs(oldType)
                    && !keyColumns.contains(newName) && !keyColumns.contains(oldName)) {
                renamed.put(newName, oldName);
            }
        });
        return renamed;
    }
}
