package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * How the rows of one source schema are written into one ClickHouse table: which source fields go into which
 * columns as which types, followed by the CDC columns. A new layout is made when the source schema changes.
 */
final class RowLayout {

    private final String table;
    private final Schema schema;
    private final List<Field> fields;
    private final List<ClickHouseType> types;
    private final boolean[] key;
    private final List<String> insertColumns;
    private final ClickHouseType sourceTsType;

    RowLayout(String table, Schema schema, List<Field> fields, List<ClickHouseType> types, List<String> keyColumns,
            ClickHouseType sourceTsType) {
        this.table = table;
        this.schema = schema;
        this.fields = List.copyOf(fields);
        this.types = List.copyOf(types);
        this.key = new boolean[fields.size()];
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            key[i] = keyColumns.contains(fields.get(i).name());
            columns.add(io.cdcpipeline.sink.clickhouse.types.SqlText.identifier(fields.get(i).name()));
        }
        columns.addAll(CdcColumns.WRITTEN);
        this.insertColumns = Collections.unmodifiableList(columns);
        this.sourceTsType = sourceTsType;
    }

    /** Quoted {@code database.table}. */
    String table() {
        return table;
    }

    Schema schema() {
        return schema;
    }

    List<Field> fields() {
        return fields;
    }

    ClickHouseType type(int field) {
        return types.get(field);
    }

    boolean isKey(int field) {
        return key[field];
    }

    int indexOf(String column) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    /** Quoted column names in the order each encoded row holds them. */
    List<String> insertColumns() {
        return insertColumns;
    }

    ClickHouseType sourceTsType() {
        return sourceTsType;
    }
}
