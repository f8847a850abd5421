package io.cdcpipeline.transforms.condition;

import java.util.ArrayList;
import java.util.List;

/** Splits a condition into tokens: words, numbers, quoted strings ('...' with '' for a quote), "quoted names", symbols. */
final class Tokens {

    enum Kind { WORD, NAME, NUMBER, STRING, SYMBOL, END }

    record Token(Kind kind, String text, int position) {
        boolean is(String word) {
            return (kind == Kind.WORD || kind == Kind.SYMBOL) && text.equalsIgnoreCase(word);
        }

        @Override
        public String toString() {
            return kind == Kind.END ? "the end" : "'" + text + "' at position " + (position + 1);
        }
    }

    private final List<Token> tokens;
    private int next;

    private Tokens(List<Token> tokens) {
        this.tokens = tokens;
    }

    static Tokens of(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'' || c == '"') {
                StringBuilder value = new StringBuilder();
                int start = i++;
                while (true) {
                    if (i >= text.length()) {
                        throw new IllegalArgumentException("unclosed " + c + " starting at position " + (start + 1));
                    }
                    if (text.charAt(i) == c) {
                        if (i + 1 < text.length() && text.charAt(i + 1) == c) {
                            value.append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.append(text.charAt(i++));
                }
                tokens.add(new Token(c == '\'' ? Kind.STRING : Kind.NAME, value.toString(), start));
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
                int start = i++;
                while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.'
                        || text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                    i++;
                }
                tokens.add(new Token(Kind.NUMBER, text.substring(start, i), start));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                tokens.add(new Token(Kind.WORD, text.substring(start, i), start));
            } else {
                int start = i;
                String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
                if (two.equals("!=") || two.equals("<>") || two.equals("<=") || two.equals(">=")) {
                    i += 2;
                    tokens.add(new Token(Kind.SYMBOL, two, start));
                } else if ("=<>(),.".indexOf(c) >= 0) {
                    i++;
                    tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), start));
                } else {
                    throw new IllegalArgumentException("unexpected '" + c + "' at position " + (start + 1));
                }
            }
        }
        tokens.add(new Token(Kind.END, "", text.length()));
        return new Tokens(tokens);
    }

    Token peek() {
        return tokens.get(next);
    }

    Token take() {
        return tokens.get(next++);
    }

    boolean accept(String word) {
        if (peek().is(word)) {
            next++;
            return true;
        }
        return false;
    }

    Token expect(String word) {
        Token token = take();
        if (!token.is(word)) {
            throw new IllegalArgumentException("expected '" + word + "' but found " + token);
        }
        return token;
    }
}
