package io.cdcpipeline.transforms;

import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.transforms.pii.ColumnPattern;
import io.cdcpipeline.transforms.pii.ColumnProtector;
import io.cdcpipeline.transforms.pii.Hmac;
import io.cdcpipeline.transforms.pii.PiiAction;
import io.cdcpipeline.transforms.pii.PiiRules;
import io.cdcpipeline.transforms.pii.SourceCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protects personal data by rules per column or per classification label: drop, null, mask, HMAC-SHA-256 hash,
 * truncate, keep the e-mail domain, or generalise (dates to year or month, numbers to bands). The rules apply to the
 * after- and before-images of Debezium envelopes, to flattened rows, and to the record key, so a hashed key column
 * stays the row's identity in every sink. {@code ProtectPii} protects key and value; {@link Key} and {@link Value}
 * protect one part only.
 */
public class ProtectPii<R extends ConnectRecord<R>> implements Transformation<R> {

    private static final Logger LOG = LoggerFactory.getLogger(ProtectPii.class);

    public static final String COLUMNS = "columns";
    public static final String LABELS = "labels";
    public static final String CLASSIFICATION = "classification";
    public static final String CLASSIFICATION_FILE = "classification.file";
    public static final String HASH_KEY = "hash.key";
    public static final String HASH_NORMALISE = "hash.normalise";
    public static final String PLACEHOLDER = "unavailable.value.placeholder";
    public static final String CATALOG_URL = "catalog.url";
    public static final String CATALOG_USER = "catalog.user";
    public static final String CATALOG_PASSWORD = "catalog.password";

    public static final String OVERVIEW_DOC = "Protects personal data by column rules or classification labels: "
            + PiiAction.SPELLINGS + ". Applies to after- and before-images and to the key.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(COLUMNS, Type.LIST, "", ProtectPii::validateColumns, Importance.HIGH,
                    "Column rules, tried in order: <schema>.<table>.<column>=<action>, globs * and ? allowed in each "
                            + "part, e.g. public.customers.email=hash,*.*.ssn=drop. Actions: " + PiiAction.SPELLINGS + ".")
            .define(LABELS, Type.LIST, "", ProtectPii::validateLabels, Importance.HIGH,
                    "The action per classification label, e.g. restricted=drop,confidential=hash,internal=keep. Every "
                            + "label that a classification uses needs one.")
            .define(CLASSIFICATION, Type.LIST, "", ProtectPii::validateClassification, Importance.MEDIUM,
                    "Classification entries given inline: <schema>.<table>.<column>=<label> (globs allowed). Tried "
                            + "before the classification file; a column rule in '" + COLUMNS + "' wins over both.")
            .define(CLASSIFICATION_FILE, Type.STRING, "", ConfigValidators.readableFile(), Importance.MEDIUM,
                    "A file of classification entries, one <schema>.<table>.<column>=<label> per line (# comments), "
                            + "kept apart from the pipeline config so that security reviewers own it. Empty: none.")
            .define(HASH_KEY, Type.PASSWORD, null, Importance.HIGH,
                    "The HMAC-SHA-256 key for 'hash', at least " + Hmac.MIN_KEY_BYTES + " bytes. Give it through a "
                            + "config provider (${file:/secrets/pii.properties:hash.key} or ${env:PII_HASH_KEY}), "
                            + "never in clear; changing it changes every hash. Required when any rule hashes.")
            .define(HASH_NORMALISE, Type.STRING, "none", ValidString.in("none", "trim-lowercase"), Importance.LOW,
                    "Text is hashed as it is ('none'), or trimmed and lower-cased first ('trim-lowercase'), so that "
                            + "'Ann@X.org ' and 'ann@x.org' hash alike, which e-mail joins usually want.")
            .define(PLACEHOLDER, Type.STRING, "__debezium_unavailable_value", Importance.LOW,
                    "Debezium's unavailable.value.placeholder: an unchanged TOASTed value is left as this "
                            + "placeholder, so the sinks fill it in from the protected value they already hold.")
            .define(CATALOG_URL, Type.STRING, "", ConfigValidators.postgresJdbcUrl(), Importance.MEDIUM,
                    "A JDBC URL of the source Postgres database. When set, the rules are checked against its catalog "
                            + "at configuration: a rule or classification that matches no column, an action on a "
                            + "primary-key column that breaks its identity, or an action the column type cannot take "
                            + "fails the configuration. Empty: checked per table as records arrive.")
            .define(CATALOG_USER, Type.STRING, "", Importance.LOW, "The user for '" + CATALOG_URL + "'.")
            .define(CATALOG_PASSWORD, Type.PASSWORD, null, Importance.LOW,
                    "The password for '" + CATALOG_URL + "' (use a config provider).");

    private PiiRules rules;
    private ColumnProtector protector;
    private final Map<PlanKey, StructPlan> plans = new ConcurrentHashMap<>();
    /** Per table and column of schemaless rows, what is done to the value; empty for a dropped column. */
    private final Map<TableId, Map<String, Optional<UnaryOperator<Object>>>> schemalessActions =
            new ConcurrentHashMap<>();

    /** Protects only the record key. */
    public static class Key<R extends ConnectRecord<R>> extends ProtectPii<R> {
        @Override
        protected boolean protectsValue() {
            return false;
        }
    }

    /** Protects only the record value (after- and before-images, or the flattened row). */
    public static class Value<R extends ConnectRecord<R>> extends ProtectPii<R> {
        @Override
        protected boolean protectsKey() {
            return false;
        }
    }

    protected boolean protectsKey() {
        return true;
    }

    protected boolean protectsValue() {
        return true;
    }

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        String file = config.getString(CLASSIFICATION_FILE);
        try {
            rules = PiiRules.parse(config.getList(COLUMNS), config.getList(LABELS), config.getList(CLASSIFICATION),
                    file.isBlank() ? null : Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file.isBlank() ? COLUMNS : CLASSIFICATION_FILE, file, e.getMessage());
        }
        if (rules.isEmpty()) {
            throw new ConfigException(COLUMNS, "", "no rule: give '" + COLUMNS + "', or '" + LABELS + "' with a "
                    + "classification");
        }
        Password key = config.getPassword(HASH_KEY);
        Hmac hmac = null;
        if (rules.usesHash()) {
            if (key == null || key.value().isEmpty()) {
                throw new ConfigException(HASH_KEY, null, "a rule hashes, so a hash key is required (give it "
                        + "through a config provider, e.g. ${file:/secrets/pii.properties:hash.key})");
            }
            try {
                hmac = new Hmac(key.value().getBytes(StandardCharsets.UTF_8),
                        "trim-lowercase".equals(config.getString(HASH_NORMALISE)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(HASH_KEY, "[hidden]", e.getMessage());
            }
        }
        protector = new ColumnProtector(hmac, config.getString(PLACEHOLDER));
        String catalogUrl = config.getString(CATALOG_URL);
        if (!catalogUrl.isBlank()) {
            checkAgainstCatalog(catalogUrl, config.getString(CATALOG_USER), config.getPassword(CATALOG_PASSWORD));
        }
    }

    private void checkAgainstCatalog(String url, String user, Password password) {
        List<String> problems;
        try {
            problems = SourceCatalog.read(url, user, password == null ? null : password.value()).check(rules);
        } catch (SQLException e) {
            throw new ConfigException(CATALOG_URL, url, "cannot read the source catalog to check the rules: "
                    + e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("the PII rules do not fit the source database at " + url + ": "
                    + String.join("; ", problems));
        }
    }

    @Override
    public R apply(R record) {
        ChangeShape shape = ChangeShape.of(record.value());
        if (record.key() == null && !shape.isChange()) {
            return record;
        }
        TableId table = shape.table(record);
        if (table == null) {
            return record; // not a table's change: nothing here has columns to protect
        }
        Object key = record.key();
        Schema keySchema = record.keySchema();
        if (protectsKey() && key instanceof Struct struct) {
            StructPlan plan = plan(table, struct.schema(), Set.of(), record, true);
            key = plan.apply(struct);
            keySchema = plan.schema;
        } else if (protectsKey() && key instanceof Map<?, ?> map) {
            key = protectMap(table, map, keyColumns(record));
        }
        Object value = record.value();
        Schema valueSchema = record.valueSchema();
        if (protectsValue()) {
            switch (shape) {
                case ENVELOPE -> {
                    Struct envelope = (Struct) value;
                    StructPlan plan = plan(table, envelope.schema(), IMAGES, record, false);
                    value = plan.apply(envelope);
                    valueSchema = plan.schema;
                }
                case FLAT -> {
                    StructPlan plan = plan(table, ((Struct) value).schema(), Set.of(), record, false);
                    value = plan.apply((Struct) value);
                    valueSchema = plan.schema;
                }
                case MAP_ENVELOPE -> {
                    Map<String, Object> envelope = new LinkedHashMap<>(castMap(value));
                    for (String image : List.of("before", "after")) {
                        if (envelope.get(image) instanceof Map<?, ?> row) {
                            envelope.put(image, protectMap(table, row, keyColumns(record)));
                        }
                    }
                    value = envelope;
                }
                case MAP_FLAT -> value = protectMap(table, (Map<?, ?>) value, keyColumns(record));
                default -> {
                }
            }
        }
        if (key == record.key() && value == record.value()) {
            return record; // nothing in this record is protected
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), keySchema, key, valueSchema, value,
                record.timestamp(), record.headers());
    }

    private static Set<String> keyColumns(ConnectRecord<?> record) {
        if (record.key() instanceof Struct key) {
            return keyColumnsOf(key.schema());
        }
        if (record.key() instanceof Map<?, ?> key) {
            Set<String> names = new HashSet<>();
            key.keySet().forEach(k -> names.add(String.valueOf(k)));
            return names;
        }
        return Set.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    private Map<String, Object> protectMap(TableId table, Map<?, ?> row, Set<String> keyColumns) {
        Map<String, Optional<UnaryOperator<Object>>> actions =
                schemalessActions.computeIfAbsent(table, t -> new ConcurrentHashMap<>());
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : row.entrySet()) {
            String column = String.valueOf(entry.getKey());
            if (CdcFields.isMetadata(column)) {
                out.put(column, entry.getValue());
                continue;
            }
            // Empty: the column is dropped.
            Optional<UnaryOperator<Object>> action = actions.computeIfAbsent(column, c ->
                    Optional.ofNullable(protector.bindSchemaless(decide(table, c, keyColumns).action())));
            if (action.isPresent()) {
                out.put(column, action.get().apply(entry.getValue()));
            }
        }
        return out;
    }

    private PiiRules.Decision decide(TableId table, String column, Set<String> keyColumns) {
        PiiRules.Decision decision = rules.decide(table, column);
        if (keyColumns.contains(column) && !decision.action().keepsIdentity()) {
            throw new ConnectException("ProtectPii: column " + table + "." + column + " is part of the record key, and "
                    + decision.action() + " (" + decision.because() + ") would break the row's identity in the sinks; "
                    + "hash it instead, or key the table by other columns");
        }
        return decision;
    }

    private record PlanKey(TableId table, Schema schema) {
        @Override
        public boolean equals(Object other) {
            return other instanceof PlanKey k && k.schema == schema && k.table.equals(table);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema) * 31 + table.hashCode();
        }
    }

    private static final Set<String> IMAGES = Set.of("before", "after");

    /** The plan used last, checked first: records of one table come in runs and share their schema object. */
    private record LastPlan(TableId table, Schema schema, StructPlan plan) {
    }

    private LastPlan lastValuePlan;

    private StructPlan plan(TableId table, Schema schema, Set<String> images, ConnectRecord<?> record, boolean isKey) {
        LastPlan last = isKey ? null : lastValuePlan;
        if (last != null && last.schema == schema && last.table.equals(table)) {
            return last.plan;
        }
        StructPlan plan = plans.get(new PlanKey(table, schema));
        if (plan == null) {
            if (plans.size() > 10_000) {
                plans.clear(); // schemas are few; guards only against a source that makes one per record
            }
            Set<String> keyColumns = keyColumns(record);
            plan = images.isEmpty() ? rowPlan(table, schema, keyColumns, isKey) : envelopePlan(table, schema, images,
                    keyColumns);
            plans.put(new PlanKey(table, schema), plan);
        }
        if (!isKey) {
            lastValuePlan = new LastPlan(table, schema, plan);
        }
        return plan;
    }

    private StructPlan envelopePlan(TableId table, Schema envelope, Set<String> images, Set<String> keyColumns) {
        SchemaBuilder builder = copyOf(envelope);
        List<Step> steps = new ArrayList<>();
        StructPlan rowPlan = null;
        for (Field field : envelope.fields()) {
            if (images.contains(field.name()) && field.schema().type() == Schema.Type.STRUCT) {
                if (rowPlan == null) {
                    rowPlan = rowPlan(table, field.schema(), keyColumns, false);
                }
                StructPlan image = rowPlan;
                builder.field(field.name(), image.schema);
                steps.add(new Step(field, new Field(field.name(), -1, image.schema), image.identity
                        ? UnaryOperator.identity() : v -> image.apply((Struct) v)));
            } else {
                builder.field(field.name(), field.schema());
                steps.add(new Step(field, new Field(field.name(), -1, field.schema()), UnaryOperator.identity()));
            }
        }
        return rowPlan != null && rowPlan.identity ? StructPlan.identity(envelope) : new StructPlan(builder.build(), steps);
    }

    private StructPlan rowPlan(TableId table, Schema row, Set<String> keyColumns, boolean isKey) {
        if (!isKey) {
            warnAboutMissingColumns(table, row);
        }
        SchemaBuilder builder = copyOf(row);
        List<Step> steps = new ArrayList<>();
        boolean changes = false;
        for (Field field : row.fields()) {
            if (CdcFields.isMetadata(field.name())) {
                builder.field(field.name(), field.schema());
                steps.add(new Step(field, new Field(field.name(), -1, field.schema()), UnaryOperator.identity()));
                continue;
            }
            PiiRules.Decision decision = decide(table, field.name(), isKey ? keyColumnsOf(row) : keyColumns);
            ColumnProtector.Bound bound;
            try {
                bound = protector.bind(decision.action(), field.schema());
            } catch (IllegalArgumentException e) {
                throw new ConnectException("ProtectPii: column " + table + "." + field.name() + " ("
                        + decision.because() + "): " + e.getMessage());
            }
            if (!bound.drops()) {
                builder.field(field.name(), bound.schema());
                steps.add(new Step(field, new Field(field.name(), -1, bound.schema()), bound.apply()));
            }
            changes |= decision.action().kind() != PiiAction.Kind.KEEP;
        }
        return changes ? new StructPlan(builder.build(), steps) : StructPlan.identity(row);
    }

    /**
     * Without {@code catalog.url} nothing checks rules against the source before records flow: a rule naming a column
     * that this table's records do not have (a typo, a renamed column) would protect nothing silently, so say so.
     */
    private void warnAboutMissingColumns(TableId table, Schema row) {
        for (PiiRules.ColumnRule rule : rules.columnRules()) {
            ColumnPattern pattern = rule.pattern();
            if (pattern.isExact() && pattern.matchesTable(table) && row.field(pattern.columnPart()) == null) {
                LOG.warn("ProtectPii rule {} names a column that the records of {} do not have (columns: {}); it "
                        + "protects nothing there. Set {} to have rules checked against the source at configuration.",
                        rule, table, row.fields().stream().map(Field::name).toList(), CATALOG_URL);
            }
        }
    }

    private static Set<String> keyColumnsOf(Schema key) {
        Set<String> names = new HashSet<>();
        key.fields().forEach(f -> names.add(f.name()));
        return names;
    }

    private static SchemaBuilder copyOf(Schema schema) {
        SchemaBuilder builder = SchemaBuilder.struct().name(schema.name()).version(schema.version()).doc(schema.doc());
        if (schema.isOptional()) {
            builder.optional();
        }
        return builder;
    }

    /** One output field: where its value comes from and what the action does to it. */
    private record Step(Field from, Field to, UnaryOperator<Object> apply) {
    }

    /** How one struct schema of one table turns into its protected form, built once per schema. */
    private static final class StructPlan {
        final Schema schema;
        /** Nothing to protect in this schema: structs pass as they are, uncopied. */
        final boolean identity;
        private final Step[] steps;

        StructPlan(Schema schema, List<Step> steps) {
            this(schema, steps, false);
        }

        private StructPlan(Schema schema, List<Step> steps, boolean identity) {
            this.schema = schema;
            // Steps were drafted before the schema was built; bind each to the built schema's own field.
            this.steps = steps.stream().map(s -> new Step(s.from, schema.field(s.to.name()), s.apply)).toArray(Step[]::new);
            this.identity = identity;
        }

        static StructPlan identity(Schema schema) {
            return new StructPlan(schema, List.of(), true);
        }

        Struct apply(Struct in) {
            if (in == null || identity) {
                return in;
            }
            Struct out = new Struct(schema);
            for (Step step : steps) {
                StructCopier.putValid(out, step.to, step.apply.apply(in.getWithoutDefault(step.from.name())));
            }
            return out;
        }
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        plans.clear();
        schemalessActions.clear();
    }

    private static void validateColumns(String name, Object value) {
        validateEach(name, value, entry -> PiiRules.parse(List.of(entry), List.of(), List.of(), null));
    }

    private static void validateLabels(String name, Object value) {
        validateEach(name, value, entry -> {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("label rule '" + entry + "' is not of the form <label>=<action>");
            }
            PiiAction.parse(entry.substring(eq + 1));
        });
    }

    private static void validateClassification(String name, Object value) {
        validateEach(name, value, entry -> {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("classification '" + entry + "' is not of the form "
                        + "<schema>.<table>.<column>=<label>");
            }
            ColumnPattern.parse(entry.substring(0, eq));
        });
    }

    private static void validateEach(String name, Object value, Consumer<String> check) {
        if (value == null) {
            return;
        }
        for (Object entry : (List<?>) value) {
            try {
                check.accept(String.valueOf(entry));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, entry, e.getMessage());
            }
        }
    }
}
