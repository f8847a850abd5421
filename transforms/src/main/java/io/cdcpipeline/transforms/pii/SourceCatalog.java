package io.cdcpipeline.transforms.pii;

import io.cdcpipeline.core.TableId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The columns of the source database, read from Postgres's catalog, so that PII rules are checked against what
 * exists before any record flows: a rule that matches no column (a typo, a renamed table) would otherwise protect
 * nothing and say nothing.
 */
public final class SourceCatalog {

    /** One column: its table, name, Postgres type and whether it is part of the primary key. */
    public record Column(TableId table, String name, String type, boolean key) {
    }

    private static final Set<String> TEXT = Set.of("text", "character varying", "character", "citext", "name");
    private static final Set<String> GENERALISABLE = Set.of("date", "timestamp without time zone",
            "timestamp with time zone", "smallint", "integer", "bigint", "numeric", "real", "double precision");

    private static final String QUERY = """
            SELECT c.table_schema, c.table_name, c.column_name,
                   CASE WHEN c.data_type = 'USER-DEFINED' THEN c.udt_name ELSE c.data_type END,
                   EXISTS (SELECT 1 FROM information_schema.table_constraints t
                           JOIN information_schema.key_column_usage k
                             ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
                            AND k.table_name = t.table_name
                           WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
                             AND t.table_name = c.table_name AND k.column_name = c.column_name)
            FROM information_schema.columns c
            WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1, 2, c.ordinal_position""";

    private final List<Column> columns;

    SourceCatalog(List<Column> columns) {
        this.columns = columns;
    }

    /** Reads every user table's columns; an {@link SQLException} says why the database could not be read. */
    public static SourceCatalog read(String url, String user, String password) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(QUERY)) {
            while (rows.next()) {
                columns.add(new Column(new TableId(rows.getString(1), rows.getString(2)), rows.getString(3),
                        rows.getString(4), rows.getBoolean(5)));
            }
        }
        return new SourceCatalog(columns);
    }

    /** Every problem with the rules against this catalog, each naming the rule or classification entry; empty if none. */
    public List<String> check(PiiRules rules) {
        List<String> problems = new ArrayList<>();
        for (PiiRules.ColumnRule rule : rules.columnRules()) {
            if (columns.stream().noneMatch(c -> rule.pattern().matches(c.table(), c.name()))) {
                problems.add("rule " + rule + " matches no column of the source database");
            }
        }
        for (PiiRules.Classification entry : rules.classifications()) {
            if (columns.stream().noneMatch(c -> entry.pattern().matches(c.table(), c.name()))) {
                problems.add("classification " + entry.pattern() + "=" + entry.label() + " (" + entry.origin()
                        + ") matches no column of the source database");
            }
        }
        for (Column column : columns) {
            PiiRules.Decision decision = rules.decide(column.table(), column.name());
            String where = column.table() + "." + column.name() + " (" + column.type() + ", " + decision.because() + ")";
            PiiAction action = decision.action();
            if (column.key() && !action.keepsIdentity()) {
                problems.add(where + ": is part of the primary key, and " + action
                        + " would break the row's identity; use hash");
            }
            switch (action.kind()) {
                case TRUNCATE, KEEP_DOMAIN -> {
                    if (!TEXT.contains(column.type())) {
                        problems.add(where + ": " + action + " applies to text columns only");
                    }
                }
                case GENERALISE -> {
                    if (!GENERALISABLE.contains(column.type())) {
                        problems.add(where + ": " + action + " applies to dates, timestamps and numbers only");
                    }
                }
                default -> {
                }
            }
        }
        return problems;
    }
}
