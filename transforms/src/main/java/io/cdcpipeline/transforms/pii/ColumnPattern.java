package io.cdcpipeline.transforms.pii;

import io.cdcpipeline.core.TableId;
import java.util.regex.Pattern;

/**
 * A {@code schema.table.column} pattern in which each part may use the globs {@code *} (any run of characters) and
 * {@code ?} (one character), e.g. {@code public.customers.email}, {@code *.*.ssn} or {@code crm.*.phone_*}.
 */
public final class ColumnPattern {

    private final String text;
    private final Pattern schema;
    private final Pattern table;
    private final Pattern column;

    private ColumnPattern(String text, Pattern schema, Pattern table, Pattern column) {
        this.text = text;
        this.schema = schema;
        this.table = table;
        this.column = column;
    }

    /** Parses a pattern; an {@link IllegalArgumentException} says what is wrong with it. */
    public static ColumnPattern parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a column pattern: expected <schema>.<table>.<column>"
                    + " (globs * and ? allowed in each part)");
        }
        return new ColumnPattern(text.trim(), glob(parts[0]), glob(parts[1]), glob(parts[2]));
    }

    private static Pattern glob(String part) {
        StringBuilder regex = new StringBuilder();
        for (char c : part.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    public boolean matches(TableId table, String columnName) {
        return this.table.matcher(table.table()).matches() && schema.matcher(table.schema()).matches()
                && column.matcher(columnName).matches();
    }

    /** Whether the schema and table parts match, whatever the column. */
    public boolean matchesTable(TableId table) {
        return this.table.matcher(table.table()).matches() && schema.matcher(table.schema()).matches();
    }

    /** The column part as written (a name when {@link #isExact()}). */
    public String columnPart() {
        return text.substring(text.lastIndexOf('.') + 1);
    }

    /** Whether the pattern names one column exactly (no globs). */
    public boolean isExact() {
        return text.indexOf('*') < 0 && text.indexOf('?') < 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
