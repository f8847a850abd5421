package io.cdcpipeline.debezium;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A Debezium custom converter for Postgres array columns of more than one dimension ({@code integer[][]}), whose
 * values Debezium 3.6 loses: it maps every array to a one-dimensional Connect array and sends each inner array as
 * NULL. The listed columns come out instead as JSON text of the nested arrays ({@code [[1,2],[3,null]]}): numbers
 * as numbers (NaN and Infinity as strings), booleans as booleans, every other element as the text Postgres prints,
 * NULL as null. A plain string field, so both sinks store it as text and it reads back with any JSON function.
 * <p>
 * Configure it on the source: {@code converters=multidim}, {@code multidim.type=} this class, and either
 * {@code multidim.columns=schema.table.column,...} or the source database ({@code multidim.database.url}, {@code
 * .user}, {@code .password}): then every array column declared with two or more dimensions is converted, found in
 * Postgres's catalog when Debezium builds the table's schema (at start and after each schema change), so a column
 * added later is converted from its first row. The embedded runner sets it up with the database by itself; on a
 * Connect cluster put this jar in Debezium's plugin folder.
 */
public final class MultiDimensionalArrays implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** The converter's setting: the columns to convert, as schema.table.column, comma-separated. */
    public static final String COLUMNS = "columns";
    /** The converter's settings to find the columns by their declared dimensions: a JDBC URL, user and password. */
    public static final String DATABASE_URL = "database.url";
    public static final String DATABASE_USER = "database.user";
    public static final String DATABASE_PASSWORD = "database.password";

    private static final Set<String> NUMBERS = Set.of("_int2", "_int4", "_int8", "_float4", "_float8", "_numeric",
            "_oid");

    private final Set<String> columns = new HashSet<>();
    private DeclaredDimensions declared;

    @Override
    public void configure(Properties props) {
        String list = props.getProperty(COLUMNS, "");
        for (String column : list.split(",")) {
            if (!column.isBlank()) {
                columns.add(column.trim());
            }
        }
        String url = props.getProperty(DATABASE_URL, "");
        if (!url.isBlank()) {
            declared = new DeclaredDimensions(url, props.getProperty(DATABASE_USER, ""),
                    props.getProperty(DATABASE_PASSWORD, ""));
        }
        if (columns.isEmpty() && declared == null) {
            throw new IllegalArgumentException("the multi-dimensional array converter needs '" + COLUMNS
                    + "' (the columns to convert, as schema.table.column) or '" + DATABASE_URL + "' (to find them "
                    + "by their declared dimensions)");
        }
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (!column.typeName().startsWith("_")) {
            return;
        }
        String qualified = qualified(column);
        if (!columns.contains(qualified) && (declared == null || !declared.isMultiDimensional(qualified))) {
            return;
        }
        String elements = column.typeName();
        SchemaBuilder schema = SchemaBuilder.string();
        if (column.isOptional()) {
            schema.optional();
        }
        registration.register(schema, value -> value == null ? null : json(PostgresArrayText.parse(value.toString()),
                elements));
    }

    /** schema.table.column, without the catalog Debezium may put first. */
    private static String qualified(RelationalColumn column) {
        String[] table = column.dataCollection().split("\\.");
        String schemaTable = table.length >= 2 ? table[table.length - 2] + "." + table[table.length - 1]
                : column.dataCollection();
        return schemaTable + "." + column.name();
    }

    static String json(List<Object> array, String arrayType) {
        StringBuilder out = new StringBuilder();
        write(array, arrayType, out);
        return out.toString();
    }

    private static void write(Object item, String arrayType, StringBuilder out) {
        if (item instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), arrayType, out);
            }
            out.append(']');
        } else if (item == null) {
            out.append("null");
        } else {
            String text = (String) item;
            if (NUMBERS.contains(arrayType) && text.matches("-?[0-9.]+(e[-+]?[0-9]+)?")) {
                out.append(text);
            } else if (arrayType.equals("_bool") && (text.equals("t") || text.equals("f"))) {
                out.append(text.equals("t") ? "true" : "false");
            } else {
                quote(text, out);
            }
        }
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
