package io.cdcpipeline.transforms.pii;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * What a rule does to a column, parsed from its config spelling {@code name[:argument]}.
 *
 * @param kind     the action
 * @param argument its argument: characters kept by {@code mask} and {@code truncate}, the unit or band width of
 *                 {@code generalise}; null when it takes none
 */
public record PiiAction(Kind kind, String argument) {

    public enum Kind {
        KEEP("keep"), DROP("drop"), NULL("null"), MASK("mask"), HASH("hash"), TRUNCATE("truncate"),
        KEEP_DOMAIN("keep-domain"), GENERALISE("generalise");

        private final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }
    }

    public static final String SPELLINGS = "keep, drop, null, mask[:<chars kept at the end>], hash, truncate:<length>, "
            + "keep-domain, generalise[:year|month|<band width>]";

    /** Parses {@code name[:argument]}; an {@link IllegalArgumentException} names the action and what is accepted. */
    public static PiiAction parse(String text) {
        String trimmed = text.trim();
        int colon = trimmed.indexOf(':');
        String name = (colon < 0 ? trimmed : trimmed.substring(0, colon)).toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? null : trimmed.substring(colon + 1).trim();
        Kind kind = null;
        for (Kind candidate : Kind.values()) {
            if (candidate.spelling.equals(name) || (candidate == Kind.GENERALISE && name.equals("generalize"))) {
                kind = candidate;
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException("unknown action '" + trimmed + "'; the actions are " + SPELLINGS);
        }
        switch (kind) {
            case MASK -> nonNegative(trimmed, argument == null ? "0" : argument);
            case TRUNCATE -> {
                if (argument == null) {
                    throw new IllegalArgumentException("'" + trimmed + "': truncate needs the length to keep, e.g. truncate:3");
                }
                nonNegative(trimmed, argument);
            }
            case GENERALISE -> {
                if (argument != null && !argument.equals("year") && !argument.equals("month")) {
                    try {
                        if (new BigDecimal(argument).signum() <= 0) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("'" + trimmed + "': generalise takes year, month or a "
                                + "positive band width for numbers");
                    }
                }
            }
            default -> {
                if (argument != null) {
                    throw new IllegalArgumentException("'" + trimmed + "': " + kind.spelling + " takes no argument");
                }
            }
        }
        return new PiiAction(kind, argument);
    }

    private static void nonNegative(String text, String argument) {
        try {
            if (Integer.parseInt(argument) < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the argument must be a whole number of characters >= 0");
        }
    }

    /** Whether the column's value still identifies the row afterwards, so it may apply to a key column. */
    public boolean keepsIdentity() {
        return kind == Kind.KEEP || kind == Kind.HASH;
    }

    public int count() {
        return argument == null ? 0 : Integer.parseInt(argument);
    }

    @Override
    public String toString() {
        return argument == null ? kind.spelling : kind.spelling + ":" + argument;
    }
}
