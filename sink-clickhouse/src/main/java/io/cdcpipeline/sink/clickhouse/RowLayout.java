package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.types.LogicalValues;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
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
    private final List<UnaryOperator<Object>> converters;
    private final boolean[] mayHoldPlaceholder;
    private final boolean keyless;
    private final List<String> columnNames;
    private final boolean history;

    RowLayout(String table, Schema schema, List<Field> fields, List<ClickHouseType> types, List<String> keyColumns,
            ClickHouseType sourceTsType) {
        this(table, schema, fields, types, keyColumns, sourceTsType, Map.of(), false);
    }

    /**
     * @param columnFor the column a field is written to where it is not the field's own name: a record of a schema
     *                  older than the table's, delivered again, writes a column renamed since under its new name
     * @param history   whether the table keeps a change history: each row carries the operation, transaction id and
     *                  old row too ({@link CdcColumns#WRITTEN_FOR_HISTORY})
     */
    RowLayout(String table, Schema schema, List<Field> fields, List<ClickHouseType> types, List<String> keyColumns,
            ClickHouseType sourceTsType, Map<String, String> columnFor, boolean history) {
        this.table = table;
        this.history = history;
        this.schema = schema;
        this.fields = List.copyOf(fields);
        this.types = List.copyOf(types);
        this.key = new boolean[fields.size()];
        List<String> columns = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            key[i] = keyColumns.contains(fields.get(i).name());
            names.add(columnFor.getOrDefault(fields.get(i).name(), fields.get(i).name()));
            columns.add(SqlText.identifier(names.get(i)));
        }
        this.columnNames = List.copyOf(names);
        columns.addAll(CdcColumns.WRITTEN);
        this.keyless = keyColumns.isEmpty();
        if (keyless) {
            columns.add(SqlText.identifier(CdcColumns.ROW_KEY));
        }
        if (history) {
            columns.addAll(CdcColumns.WRITTEN_FOR_HISTORY);
        }
        this.insertColumns = Collections.unmodifiableList(columns);
        this.sourceTsType = sourceTsType;
        List<UnaryOperator<Object>> conversions = new ArrayList<>();
        this.mayHoldPlaceholder = new boolean[fields.size()];
        for (int i = 0; i < fields.size(); i++) {
            Schema fieldSchema = fields.get(i).schema();
            conversions.add(LogicalValues.converterFor(fieldSchema));
            // Debezium's unchanged-TOAST placeholder comes as text, bytes, a list or a map, never as a number.
            Schema.Type type = fieldSchema.type();
            mayHoldPlaceholder[i] = !key[i] && (type == Schema.Type.STRING || type == Schema.Type.BYTES
                    || type == Schema.Type.ARRAY || type == Schema.Type.MAP);
        }
        this.converters = List.copyOf(conversions);
    }

    /** The source value of a field as the column's codec takes it (see {@link LogicalValues}). */
    Object javaValue(int field, Object connectValue) {
        return converters.get(field).apply(connectValue);
    }

    /** Whether the field's values may be Debezium's unchanged-TOAST placeholder (a TOASTable type, not a key). */
    boolean mayHoldPlaceholder(int field) {
        return mayHoldPlaceholder[field];
    }

    /** This layout writing into another table that has the same columns. */
    RowLayout in(String otherTable) {
        List<String> keyColumns = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            if (key[i]) {
                keyColumns.add(fields.get(i).name());
            }
        }
        Map<String, String> columnFor = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            columnFor.put(fields.get(i).name(), columnNames.get(i));
        }
        return new RowLayout(otherTable, schema, fields, types, keyColumns, sourceTsType, columnFor, history);
    }

    /** The ClickHouse column a field is written to (its own name, unless renamed since). */
    String column(int field) {
        return columnNames.get(field);
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

    /** A table without a primary key: its rows are keyed by their content ({@link CdcColumns#ROW_KEY}). */
    boolean keyless() {
        return keyless;
    }

    /** Whether each row also carries what the table's change history keeps. */
    boolean history() {
        return history;
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
