package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides what to do when a source column's type, as the sink would create it now, differs from the type the
 * ClickHouse column has: keep it (a Nullable column takes non-null values), widen it losslessly with {@code MODIFY
 * COLUMN} (NOT NULL to NULL, a wider integer or float, a decimal with more integer or fraction digits), or refuse: any other change would be a
 * silent cast.
 */
final class ColumnEvolution {

    private static final List<String> INTEGERS = List.of("Int8", "Int16", "Int32", "Int64");
    private static final List<String> FLOATS = List.of("Float32", "Float64");
    private static final Pattern DECIMAL = Pattern.compile("Decimal\\((\\d+),(\\d+)\\)");
    private static final Pattern DATETIME64 = Pattern.compile("DateTime64\\((\\d),(.*)\\)");

    /**
     * @param encodeAs  the type to write values as
     * @param modifyTo  the type to {@code MODIFY COLUMN} to first, or null
     * @param refusal   why the change is refused, or null
     */
    record Decision(ClickHouseType encodeAs, String modifyTo, String refusal) {
    }

    static Decision decide(String existingSql, ClickHouseType wanted, boolean keyColumn) {
        if (wanted.sameAs(existingSql)) {
            return new Decision(wanted, null, null);
        }
        String existing = ClickHouseType.normalize(existingSql);
        boolean existingNullable = existing.startsWith("Nullable(");
        String existingBase = existingNullable ? existing.substring(9, existing.length() - 1) : existing;
        String wantedBase = ClickHouseType.normalize(wanted.base().sql());
        boolean nullable = existingNullable || wanted.nullable();
        if (!existingBase.equals(wantedBase) && !widens(existingBase, wantedBase)) {
            return new Decision(null, null, "the ClickHouse column is " + existingSql + " and the source now sends "
                    + wanted.sql() + "; the sink does not convert values silently. Convert the column yourself "
                    + "(ALTER TABLE ... MODIFY COLUMN) or write the table under a new name");
        }
        if (nullable && keyColumn && !existingNullable) {
            return new Decision(null, null, "the key column became nullable in the source, and ClickHouse cannot make a "
                    + "sorting-key column Nullable");
        }
        ClickHouseType encodeAs = nullable ? wanted.base().asNullable() : wanted;
        boolean needsModify = !encodeAs.sameAs(existingSql);
        return new Decision(encodeAs, needsModify ? encodeAs.sql() : null, null);
    }

    private static boolean widens(String from, String to) {
        if (INTEGERS.contains(from) && INTEGERS.contains(to)) {
            return INTEGERS.indexOf(to) > INTEGERS.indexOf(from);
        }
        if (FLOATS.contains(from) && FLOATS.contains(to)) {
            return FLOATS.indexOf(to) > FLOATS.indexOf(from);
        }
        Matcher a = DECIMAL.matcher(from);
        Matcher b = DECIMAL.matcher(to);
        if (a.matches() && b.matches()) {
            // Neither fewer integer digits nor fewer fraction digits: numeric(8,2) to numeric(14,4) keeps every value
            int fromPrecision = Integer.parseInt(a.group(1));
            int fromScale = Integer.parseInt(a.group(2));
            int toPrecision = Integer.parseInt(b.group(1));
            int toScale = Integer.parseInt(b.group(2));
            return toScale >= fromScale && toPrecision - toScale >= fromPrecision - fromScale
                    && toPrecision > fromPrecision;
        }
        Matcher c = DATETIME64.matcher(from);
        Matcher d = DATETIME64.matcher(to);
        return c.matches() && d.matches() && c.group(2).equals(d.group(2))
                && Integer.parseInt(d.group(1)) > Integer.parseInt(c.group(1));
    }

    private ColumnEvolution() {
    }
}
