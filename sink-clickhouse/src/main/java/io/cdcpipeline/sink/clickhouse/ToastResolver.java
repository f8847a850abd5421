package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.types.LogicalValues;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.RowBinaryInput;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.apache.kafka.connect.data.Struct;

/**
 * Reads the values ClickHouse holds for the keys of rows with unchanged-TOAST holes: the newest live version of
 * each key, only the columns asked for, as the {@code RowBinary} bytes they were written as, so a hole is filled
 * with exactly the stored value. One query per table and batch (in chunks of keys).
 */
final class ToastResolver {

    private static final int KEYS_PER_QUERY = 500;

    private final ClickHouseConnection connection;
    private final RetryBackoff backoff;
    private final RetryBackoff.Failures retries;

    ToastResolver(ClickHouseConnection connection, RetryBackoff backoff, RetryBackoff.Failures retries) {
        this.connection = connection;
        this.backoff = backoff;
        this.retries = retries;
    }

    /**
     * The stored values of {@code columns} for the keys of {@code events}, by encoded key.
     *
     * @param layout the layout the events are written with (its types read the answer)
     */
    Map<ByteKey, Map<String, byte[]>> storedValues(RowLayout layout, List<ChangeEvent> events, Set<String> columns) {
        List<Integer> keyFields = new ArrayList<>();
        List<Integer> valueFields = new ArrayList<>();
        for (int i = 0; i < layout.fields().size(); i++) {
            if (layout.isKey(i)) {
                keyFields.add(i);
            } else if (columns.contains(layout.fields().get(i).name())) {
                valueFields.add(i);
            }
        }
        Set<String> keyTuples = new LinkedHashSet<>();
        for (ChangeEvent event : events) {
            keyTuples.add(keyTuple(layout, keyFields, event.after()));
        }
        Map<ByteKey, Map<String, byte[]>> stored = new HashMap<>();
        List<String> all = new ArrayList<>(keyTuples);
        for (int from = 0; from < all.size(); from += KEYS_PER_QUERY) {
            String sql = select(layout, keyFields, valueFields, all.subList(from, Math.min(all.size(), from + KEYS_PER_QUERY)));
            byte[] answer = backoff.call("reading unchanged TOAST values from " + layout.table(),
                    () -> connection.query(sql), retries);
            read(layout, keyFields, valueFields, answer, stored);
        }
        return stored;
    }

    private static String select(RowLayout layout, List<Integer> keyFields, List<Integer> valueFields, List<String> keys) {
        StringJoiner columns = new StringJoiner(", ");
        StringJoiner keyColumns = new StringJoiner(", ", keyFields.size() > 1 ? "(" : "", keyFields.size() > 1 ? ")" : "");
        for (int field : keyFields) {
            columns.add(SqlText.identifier(layout.column(field)));
            keyColumns.add(SqlText.identifier(layout.column(field)));
        }
        valueFields.forEach(field -> columns.add(SqlText.identifier(layout.column(field))));
        return "SELECT " + columns + " FROM " + layout.table() + " FINAL WHERE " + CdcColumns.DELETED + " = 0 AND "
                + keyColumns + " IN (" + String.join(", ", keys) + ") FORMAT RowBinary";
    }

    private static String keyTuple(RowLayout layout, List<Integer> keyFields, Struct after) {
        StringJoiner tuple = new StringJoiner(", ", keyFields.size() > 1 ? "(" : "", keyFields.size() > 1 ? ")" : "");
        for (int field : keyFields) {
            var f = layout.fields().get(field);
            Object value = LogicalValues.toJava(f.schema(), after.getWithoutDefault(f.name()));
            tuple.add(value == null ? "NULL" : layout.type(field).codec().literal(value));
        }
        return tuple.toString();
    }

    private static void read(RowLayout layout, List<Integer> keyFields, List<Integer> valueFields, byte[] answer,
            Map<ByteKey, Map<String, byte[]>> stored) {
        RowBinaryInput in = new RowBinaryInput(answer);
        while (in.hasMore()) {
            int keyStart = in.position();
            for (int field : keyFields) {
                layout.type(field).skip(in);
            }
            ByteKey key = new ByteKey(in.slice(keyStart));
            Map<String, byte[]> values = new HashMap<>();
            for (int field : valueFields) {
                int start = in.position();
                ClickHouseType type = layout.type(field);
                type.skip(in);
                values.put(layout.fields().get(field).name(), in.slice(start));
            }
            stored.put(key, values);
        }
    }
}
