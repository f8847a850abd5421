package io.cdcpipeline.transforms.condition;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.types.LogicalValues;
import io.cdcpipeline.transforms.ChangeShape;
import io.cdcpipeline.transforms.condition.Tokens.Kind;
import io.cdcpipeline.transforms.condition.Tokens.Token;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Struct;

/**
 * A condition on a change, in a small SQL-like language (documented in docs/transforms.md):
 * <pre>
 *   op in ('c', 'u') and schema = 'public' and table like 'order%'
 *   and (after.total >= 100 or customer_email is not null) and not born &lt; '1990-01-01'
 * </pre>
 * {@code op}, {@code schema} and {@code table} are the change's; any other name is a column of the row the change
 * leaves (for a delete, the row before it); {@code after.x} and {@code before.x} pick an image. A column a table does
 * not have is null. Comparisons with null are false ({@code is null} tests for it); dates and timestamps compare with
 * ISO text such as {@code '2024-01-31'}.
 */
public final class Condition {

    /** Something that evaluates to a value for one change. */
    private interface Operand {
        Object value(Change change);
    }

    /** Something that is true or false for one change. */
    public interface Test {
        boolean test(Change change);
    }

    /** The parts of one record a condition reads. */
    public record Change(ChangeShape shape, Object value, TableId table, String operation) {
        public static Change of(ConnectRecord<?> record) {
            ChangeShape shape = ChangeShape.of(record.value());
            return new Change(shape, record.value(), shape.table(record), shape.operation(record.value()));
        }

        Object column(String image, String name) {
            Object row = switch (image) {
                case "after" -> shape.isEnvelope() ? image(value, "after") : isDelete() ? null : shape.row(value);
                case "before" -> shape.isEnvelope() ? image(value, "before") : isDelete() ? shape.row(value) : null;
                default -> shape.row(value);
            };
            if (row instanceof Struct struct) {
                var field = struct.schema().field(name);
                return field == null ? null : LogicalValues.toJava(field.schema(), struct.getWithoutDefault(field.name()));
            }
            return ChangeShape.column(row, name);
        }

        private boolean isDelete() {
            return "d".equals(operation);
        }

        private static Object image(Object envelope, String name) {
            if (envelope instanceof Struct struct) {
                return struct.schema().field(name) == null ? null : struct.getWithoutDefault(name);
            }
            return ((Map<?, ?>) envelope).get(name);
        }
    }

    private final String text;
    private final Test root;

    private Condition(String text, Test root) {
        this.text = text;
        this.root = root;
    }

    /** Parses a condition; an {@link IllegalArgumentException} says where and what was expected. */
    public static Condition parse(String text) {
        Tokens tokens = Tokens.of(text);
        Test root = or(tokens);
        if (tokens.peek().kind() != Kind.END) {
            throw new IllegalArgumentException("unexpected " + tokens.peek() + " after a complete condition");
        }
        return new Condition(text, root);
    }

    public boolean test(Change change) {
        return root.test(change);
    }

    @Override
    public String toString() {
        return text;
    }

    private static Test or(Tokens tokens) {
        Test left = and(tokens);
        while (tokens.accept("or")) {
            Test a = left;
            Test b = and(tokens);
            left = c -> a.test(c) || b.test(c);
        }
        return left;
    }

    private static Test and(Tokens tokens) {
        Test left = not(tokens);
        while (tokens.accept("and")) {
            Test a = left;
            Test b = not(tokens);
            left = c -> a.test(c) && b.test(c);
        }
        return left;
    }

    private static Test not(Tokens tokens) {
        if (tokens.accept("not")) {
            Test inner = not(tokens);
            return c -> !inner.test(c);
        }
        if (tokens.accept("(")) {
            Test inner = or(tokens);
            tokens.expect(")");
            return inner;
        }
        return comparison(tokens);
    }

    private static Test comparison(Tokens tokens) {
        Operand left = operand(tokens);
        Token token = tokens.take();
        if (token.is("is")) {
            boolean negate = tokens.accept("not");
            tokens.expect("null");
            return c -> (left.value(c) == null) != negate;
        }
        boolean negate = token.is("not");
        if (negate) {
            token = tokens.take();
        }
        if (token.is("in")) {
            tokens.expect("(");
            List<Object> items = new ArrayList<>();
            do {
                items.add(literal(tokens.take()));
            } while (tokens.accept(","));
            tokens.expect(")");
            return c -> {
                Object value = left.value(c);
                return value != null && items.stream().anyMatch(item -> Values.compare(value, item) == 0) != negate;
            };
        }
        if (token.is("like")) {
            Token pattern = tokens.take();
            if (pattern.kind() != Kind.STRING) {
                throw new IllegalArgumentException("like needs a quoted pattern, found " + pattern);
            }
            Pattern regex = Values.like(pattern.text());
            return c -> {
                Object value = left.value(c);
                return value != null && regex.matcher(String.valueOf(value)).matches() != negate;
            };
        }
        if (negate) {
            throw new IllegalArgumentException("expected in or like after not, found " + token);
        }
        String op = token.text();
        if (token.kind() != Kind.SYMBOL || !List.of("=", "!=", "<>", "<", "<=", ">", ">=").contains(op)) {
            throw new IllegalArgumentException("expected a comparison (=, !=, <, <=, >, >=, in, like, is null) but found "
                    + token);
        }
        Operand right = operand(tokens);
        return c -> {
            Object a = left.value(c);
            Object b = right.value(c);
            if (a == null || b == null) {
                return false;
            }
            int order = Values.compare(a, b);
            return switch (op) {
                case "=" -> order == 0;
                case "!=", "<>" -> order != 0;
                case "<" -> order < 0;
                case "<=" -> order <= 0;
                case ">" -> order > 0;
                default -> order >= 0;
            };
        };
    }

    private static Operand operand(Tokens tokens) {
        Token token = tokens.take();
        if (token.kind() == Kind.WORD || token.kind() == Kind.NAME) {
            String name = token.text();
            if (token.kind() == Kind.WORD && (name.equalsIgnoreCase("true") || name.equalsIgnoreCase("false")
                    || name.equalsIgnoreCase("null"))) {
                Object value = literal(token);
                return c -> value;
            }
            if (token.kind() == Kind.WORD && (name.equals("after") || name.equals("before")) && tokens.accept(".")) {
                Token column = tokens.take();
                if (column.kind() != Kind.WORD && column.kind() != Kind.NAME) {
                    throw new IllegalArgumentException("expected a column name after " + name + ". but found " + column);
                }
                return c -> c.column(name, column.text());
            }
            if (token.kind() == Kind.WORD) {
                switch (name) {
                    case "op" -> {
                        return Change::operation;
                    }
                    case "schema" -> {
                        return c -> c.table() == null ? null : c.table().schema();
                    }
                    case "table" -> {
                        return c -> c.table() == null ? null : c.table().table();
                    }
                    default -> {
                    }
                }
            }
            return c -> c.column("row", name);
        }
        Object value = literal(token);
        return c -> value;
    }

    private static Object literal(Token token) {
        return switch (token.kind()) {
            case STRING -> token.text();
            case NUMBER -> {
                try {
                    yield new BigDecimal(token.text());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number: " + token);
                }
            }
            case WORD -> {
                if (token.is("true") || token.is("false")) {
                    yield Boolean.parseBoolean(token.text().toLowerCase());
                }
                if (token.is("null")) {
                    yield null;
                }
                throw new IllegalArgumentException("expected a value ('text', a number, true, false) but found " + token);
            }
            default -> throw new IllegalArgumentException("expected a value ('text', a number, true, false) but found "
                    + token);
        };
    }

    /** How values of different kinds compare. */
    static final class Values {
        private Values() {
        }

        static int compare(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) {
                return decimal(x).compareTo(decimal(y));
            }
            if (a instanceof Boolean x && b instanceof Boolean y) {
                return x.compareTo(y);
            }
            if (b instanceof String text && !(a instanceof String)) {
                return compareTemporal(a, text);
            }
            if (a instanceof String text && !(b instanceof String)) {
                return -compareTemporal(b, text);
            }
            return String.valueOf(a).compareTo(String.valueOf(b));
        }

        private static int compareTemporal(Object value, String text) {
            try {
                if (value instanceof LocalDate date) {
                    return date.compareTo(LocalDate.parse(text));
                }
                if (value instanceof LocalDateTime time) {
                    return time.compareTo(text.length() == 10 ? LocalDate.parse(text).atStartOfDay()
                            : LocalDateTime.parse(text));
                }
                if (value instanceof Instant instant) {
                    return instant.compareTo(text.length() == 10 ? LocalDate.parse(text).atStartOfDay()
                            .toInstant(ZoneOffset.UTC) : OffsetDateTime.parse(text).toInstant());
                }
                if (value instanceof LocalTime time) {
                    return time.compareTo(LocalTime.parse(text));
                }
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a date or time to compare a "
                        + value.getClass().getSimpleName() + " with");
            }
            return String.valueOf(value).compareTo(text);
        }

        private static BigDecimal decimal(Number n) {
            if (n instanceof BigDecimal d) {
                return d;
            }
            if (n instanceof Double || n instanceof Float) {
                return BigDecimal.valueOf(n.doubleValue());
            }
            return n instanceof BigInteger ? new BigDecimal(n.toString()) : BigDecimal.valueOf(n.longValue());
        }

        static Pattern like(String pattern) {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                switch (c) {
                    case '%' -> regex.append(".*");
                    case '_' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        }
    }
}
