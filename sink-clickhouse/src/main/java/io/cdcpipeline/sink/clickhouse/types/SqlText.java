package io.cdcpipeline.sink.clickhouse.types;

/**
 * Quoting of identifiers and string literals for ClickHouse SQL. Every name that comes from a record or a config goes
 * through here, so no table or column name can end a quoted token early.
 */
public final class SqlText {

    private SqlText() {
    }

    /** A back-quoted identifier; backslashes and back quotes escaped, every other character kept as is. */
    public static String identifier(String name) {
        return "`" + escape(name, '`') + "`";
    }

    /** A single-quoted string literal. */
    public static String literal(String value) {
        return "'" + escape(value, '\'') + "'";
    }

    private static String escape(String text, char quote) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\0' -> out.append("\\0");
                default -> {
                    if (c == quote) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }
}
