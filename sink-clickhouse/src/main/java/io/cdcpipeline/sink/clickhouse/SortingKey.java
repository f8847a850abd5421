package io.cdcpipeline.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A sorting-key expression as {@code table.override.<schema>.<table>.order.by} gives it ({@code (customer_id, id)},
 * {@code id}, {@code (intDiv(id, 100), id)}), read as its top-level elements. ReplacingMergeTree replaces rows whose
 * sorting keys are equal, so each primary-key column must be an element of its own: {@code customer_id} merely
 * containing the text {@code id}, or {@code intHash32(id)} (which collides), would merge distinct rows.
 */
final class SortingKey {

    private static final Pattern BARE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final List<String> elements;

    private SortingKey(List<String> elements) {
        this.elements = elements;
    }

    /** The key's elements, in order: {@code (a, b)} and {@code a, b} both have a and b. */
    List<String> elements() {
        return elements;
    }

    /** @throws IllegalArgumentException for unbalanced parentheses or quotes, or an empty element */
    static SortingKey parse(String expression) {
        String text = expression.trim();
        List<String> elements = new ArrayList<>();
        int firstGroupEnd = split(text, elements);
        if (text.startsWith("(") && firstGroupEnd == text.length() - 1) {
            // One parenthesised group, the whole expression: a tuple, whose elements count.
            elements.clear();
            split(text.substring(1, text.length() - 1).trim(), elements);
        }
        return new SortingKey(elements);
    }

    /**
     * Splits {@code text} at its top-level commas into {@code elements}; returns where the first parenthesis group
     * closes (-1 when there is none), outside quotes.
     */
    private static int split(String text, List<String> elements) {
        int depth = 0;
        int start = 0;
        int firstGroupEnd = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                i = closingQuote(text, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (--depth < 0) {
                    throw new IllegalArgumentException("a ')' closes nothing at position " + (i + 1));
                }
                if (depth == 0 && firstGroupEnd < 0) {
                    firstGroupEnd = i;
                }
            } else if (c == ',' && depth == 0) {
                elements.add(element(text.substring(start, i)));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("a '(' is not closed");
        }
        elements.add(element(text.substring(start)));
        return firstGroupEnd;
    }

    /** The key columns that are not an element of their own, in their order. */
    List<String> missing(List<String> keyColumns) {
        List<String> columns = new ArrayList<>();
        for (String element : elements) {
            String column = columnName(element);
            if (column != null) {
                columns.add(column);
            }
        }
        return keyColumns.stream().filter(k -> !columns.contains(k)).toList();
    }

    private static int closingQuote(String text, int open) {
        char quote = text.charAt(open);
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i++; // a doubled quote stands for itself
                } else {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException("a " + quote + " is not closed");
    }

    private static String element(String text) {
        String element = text.trim();
        if (element.isEmpty()) {
            throw new IllegalArgumentException("an element is empty");
        }
        return element;
    }

    /** The column an element names by itself (bare, or in backquotes or double quotes), or null for an expression. */
    private static String columnName(String element) {
        if (BARE.matcher(element).matches()) {
            return element;
        }
        char first = element.charAt(0);
        if ((first == '`' || first == '"') && element.length() >= 2 && closingQuote(element, 0) == element.length() - 1) {
            String inner = element.substring(1, element.length() - 1);
            return inner.replace("\\" + first, String.valueOf(first)).replace("" + first + first, String.valueOf(first));
        }
        return null;
    }
}
