package io.cdcpipeline.embedded;

import io.cdcpipeline.core.consistency.KeyColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * SQL filters selecting given keys ({@code "id" IN (1, 2)}, {@code ("a", "b") IN ((1, 'x'))}), each short enough for
 * the signal table's {@code data} column: the {@code additional-conditions} of an incremental snapshot that
 * re-sends exactly those rows.
 */
final class KeyFilters {

    private KeyFilters() {
    }

    static List<String> of(KeyColumns key, List<List<String>> keys, int maxChars) {
        StringJoiner columns = new StringJoiner(", ");
        key.names().forEach(name -> columns.add(identifier(name)));
        String head = (key.size() == 1 ? columns.toString() : "(" + columns + ")") + " IN (";
        List<String> filters = new ArrayList<>();
        StringBuilder filter = new StringBuilder(head);
        int inFilter = 0;
        for (List<String> k : keys) {
            String value = tuple(key, k);
            if (inFilter > 0 && filter.length() + value.length() + 3 > maxChars) {
                filters.add(filter.append(')').toString());
                filter = new StringBuilder(head);
                inFilter = 0;
            }
            filter.append(inFilter == 0 ? "" : ", ").append(value);
            inFilter++;
        }
        if (inFilter > 0) {
            filters.add(filter.append(')').toString());
        }
        return filters;
    }

    private static String tuple(KeyColumns key, List<String> values) {
        StringJoiner tuple = new StringJoiner(", ", key.size() == 1 ? "" : "(", key.size() == 1 ? "" : ")");
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            tuple.add(key.numeric().get(i) && value.matches("-?\\d+") ? value : "'" + value.replace("'", "''") + "'");
        }
        return tuple.toString();
    }

    private static String identifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
