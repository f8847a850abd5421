package io.cdcpipeline.transforms;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.RouteHeaders;
import io.cdcpipeline.core.TableId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * Gives a change a new target table: the name the sinks create and write (ClickHouse table, Elasticsearch index)
 * comes from the source table by a pattern and a template, optionally with a tenant taken from a column, e.g.
 * {@code ${tenant}_${table}}. The target goes into the headers {@value RouteHeaders#TARGET_SCHEMA} and
 * {@value RouteHeaders#TARGET_TABLE}, which our sinks and transforms read as the change's table, and the topic is
 * renamed to match ({@code <prefix>.<schema>.<table>}) for any other sink. The value is left as Debezium wrote it,
 * so it still names its source table (and routing copies nothing).
 */
public class CdcRoute<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String TABLE_REGEX = "table.regex";
    public static final String TARGET_TABLE = "target.table";
    public static final String TARGET_SCHEMA = "target.schema";
    public static final String TENANT_COLUMN = "tenant.column";
    public static final String TENANT_DEFAULT = "tenant.default";

    public static final String OVERVIEW_DOC = "Routes a change to a target table named by a template over the source "
            + "schema, table, regex groups and an optional tenant column.";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}|\\$(\\d)");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_]+");

    private static final ConfigDef.Validator TEMPLATE =
            NameTemplates.validator(List.of("schema", "table", "tenant"), "$1..$9");

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TABLE_REGEX, Type.STRING, ".*", ConfigValidators.regex(), Importance.HIGH,
                    "A Java regular expression matched against the whole '<schema>.<table>' of the source table; "
                            + "changes of tables it does not match pass unchanged. Its groups are $1..$9 in the "
                            + "templates.")
            .define(TARGET_TABLE, Type.STRING, "${table}", TEMPLATE, Importance.HIGH,
                    "The target table name: a template with ${schema}, ${table}, ${tenant} and $1..$9, e.g. "
                            + "${schema}_${table} or ${tenant}_${table}.")
            .define(TARGET_SCHEMA, Type.STRING, "${schema}", TEMPLATE, Importance.LOW,
                    "The target schema name, a template like '" + TARGET_TABLE + "'. Sinks that name targets with "
                            + "${schema} see this.")
            .define(TENANT_COLUMN, Type.STRING, "", ConfigValidators.columnName(), Importance.MEDIUM,
                    "A column whose value is the tenant, for ${tenant}: read from the row after the change, or for a "
                            + "delete from the row before it (Postgres sends only the key there unless the table has "
                            + "REPLICA IDENTITY FULL or the tenant column is in the key). Values must be letters, "
                            + "digits and _: anything else is refused, never rewritten, so two tenants cannot merge.")
            .define(TENANT_DEFAULT, Type.STRING, "", Importance.LOW,
                    "The tenant of a change whose tenant column is missing or null. Empty: such a change is refused "
                            + "with an error naming the record (and goes to the dead-letter path when errors are "
                            + "tolerated).");

    private Pattern tableRegex;
    private String targetTable;
    private String targetSchema;
    private String tenantColumn;
    private String tenantDefault;
    /** Per source table: null when the regex does not match, else its templates with all but ${tenant} filled. */
    private final Map<TableId, Optional<Target>> targets = new ConcurrentHashMap<>();

    /** A source table's target templates, and the routes already worked out per tenant (or for none). */
    private record Target(String schema, String table, Map<String, Route> byTenant) {
    }

    /** Where a change goes: the target table and the topic named after it. */
    private record Route(TableId table, String topic) {
    }

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        tableRegex = Pattern.compile(config.getString(TABLE_REGEX));
        targetTable = config.getString(TARGET_TABLE);
        targetSchema = config.getString(TARGET_SCHEMA);
        tenantColumn = config.getString(TENANT_COLUMN).trim();
        tenantDefault = config.getString(TENANT_DEFAULT).trim();
        boolean usesTenant = targetTable.contains("${tenant}") || targetSchema.contains("${tenant}");
        if (usesTenant && tenantColumn.isEmpty()) {
            throw new ConfigException(TENANT_COLUMN, "", "a template uses ${tenant}, so the tenant column is required");
        }
        if (!usesTenant && !tenantColumn.isEmpty()) {
            throw new ConfigException(TENANT_COLUMN, tenantColumn, "is set but no template uses ${tenant}");
        }
        if (!tenantDefault.isEmpty() && !TENANT.matcher(tenantDefault).matches()) {
            throw new ConfigException(TENANT_DEFAULT, tenantDefault, "must be letters, digits and _");
        }
        int groups = tableRegex.matcher("").groupCount();
        for (String template : new String[] {targetTable, targetSchema}) {
            Matcher m = PLACEHOLDER.matcher(template);
            while (m.find()) {
                if (m.group(2) != null && Integer.parseInt(m.group(2)) > groups) {
                    throw new ConfigException(template.equals(targetTable) ? TARGET_TABLE : TARGET_SCHEMA, template,
                            "uses $" + m.group(2) + " but '" + TABLE_REGEX + "' has " + groups + " group(s)");
                }
            }
        }
    }

    @Override
    public R apply(R record) {
        ChangeShape shape = ChangeShape.of(record.value());
        if (!shape.isChange()) {
            return record; // tombstones and other values carry no row to route by; sinks skip tombstones
        }
        TableId source = shape.table(record);
        if (source == null) {
            return record;
        }
        Optional<Target> target = targets.computeIfAbsent(source, this::target);
        if (target.isEmpty()) {
            return record;
        }
        String tenant = tenantColumn.isEmpty() ? "" : tenant(record, shape);
        Map<String, Route> byTenant = target.get().byTenant();
        Route route = byTenant.get(tenant);
        if (route == null) {
            if (byTenant.size() > 100_000) {
                byTenant.clear(); // tenants are many but bounded; this only caps memory
            }
            TableId table = new TableId(target.get().schema().replace("${tenant}", tenant),
                    target.get().table().replace("${tenant}", tenant));
            route = new Route(table, Topics.of(record.topic(), table));
            byTenant.put(tenant, route);
        }
        if (route.table().equals(source)) {
            return record;
        }
        Headers headers = record.headers().duplicate();
        RouteHeaders.set(headers, route.table());
        return record.newRecord(route.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), record.value(), record.timestamp(), headers);
    }

    /**
     * Where every change of {@code source} goes, for a check of the copy against the source: empty when the table
     * regex does not match it (the change stays where it is). A route by each change's tenant has no one target:
     * refused with an IllegalStateException that says so.
     */
    public Optional<TableId> targetOf(TableId source) {
        if (!tenantColumn.isEmpty()) {
            throw new IllegalStateException("routes each change by its " + TENANT_COLUMN + " '" + tenantColumn + "'");
        }
        return target(source).map(target -> new TableId(target.schema(), target.table()));
    }

    private Optional<Target> target(TableId source) {
        Matcher matcher = tableRegex.matcher(source.toString());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Target(fill(targetSchema, source, matcher), fill(targetTable, source, matcher),
                new ConcurrentHashMap<>()));
    }

    private String tenant(R record, ChangeShape shape) {
        Object value = ChangeShape.column(shape.row(record.value()), tenantColumn);
        if (value == null) {
            value = ChangeShape.column(record.key(), tenantColumn);
        }
        if (value == null) {
            if (tenantDefault.isEmpty()) {
                throw new DataException(ChangeEvent.describe(record) + ": tenant column '" + tenantColumn
                        + "' is missing or null in " + shape.table(record) + ", and no " + TENANT_DEFAULT + " is set");
            }
            return tenantDefault;
        }
        String tenant = String.valueOf(value);
        if (!TENANT.matcher(tenant).matches()) {
            throw new DataException(ChangeEvent.describe(record) + ": tenant '" + tenant + "' in column '" + tenantColumn
                    + "' of " + shape.table(record) + " is not a valid name part (letters, digits and _ only)");
        }
        return tenant;
    }

    /** The template with ${schema}, ${table} and $n filled; ${tenant} stays for each change to fill. */
    private static String fill(String template, TableId source, Matcher groups) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(2) != null) {
                replacement = groups.group(Integer.parseInt(m.group(2)));
            } else {
                replacement = switch (m.group(1)) {
                    case "schema" -> source.schema();
                    case "table" -> source.table();
                    default -> "${tenant}";
                };
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement == null ? "" : replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        targets.clear();
    }
}
