package io.cdcpipeline.debezium;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads Postgres's text form of an array ({@code {{1,2},{3,NULL}}}, {@code {"a,b","c\"d"}},
 * {@code [0:1]={x,y}}) into nested lists of element texts, null for {@code NULL}: the form Postgres sends an array
 * in over logical replication and prints it in, so every dimension and element survives.
 */
final class PostgresArrayText {

    private final String text;
    private int at;

    private PostgresArrayText(String text) {
        this.text = text;
    }

    /** The nested lists of an array literal; an {@link IllegalArgumentException} says where it is malformed. */
    static List<Object> parse(String text) {
        PostgresArrayText reader = new PostgresArrayText(text);
        int bounds = text.startsWith("[") ? text.indexOf('=') : -1; // explicit bounds: [1:2][0:1]={...}
        reader.at = bounds + 1;
        List<Object> array = reader.array();
        if (reader.at != text.length()) {
            throw reader.malformed("text after the array");
        }
        return array;
    }

    private List<Object> array() {
        expect('{');
        List<Object> items = new ArrayList<>();
        if (peek() == '}') {
            at++;
            return items;
        }
        while (true) {
            items.add(peek() == '{' ? array() : element());
            char next = next();
            if (next == '}') {
                return items;
            }
            if (next != ',') {
                throw malformed("',' or '}' expected");
            }
        }
    }

    private String element() {
        if (peek() == '"') {
            at++;
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '\\') {
                    value.append(next());
                } else if (c == '"') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
        }
        int start = at;
        while (at < text.length() && text.charAt(at) != ',' && text.charAt(at) != '}') {
            at++;
        }
        String value = text.substring(start, at).trim();
        return value.equalsIgnoreCase("NULL") ? null : value;
    }

    private char peek() {
        if (at >= text.length()) {
            throw malformed("unexpected end");
        }
        return text.charAt(at);
    }

    private char next() {
        char c = peek();
        at++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw malformed("'" + c + "' expected");
        }
    }

    private IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("not a Postgres array literal (" + what + " at " + at + "): " + text);
    }
}
