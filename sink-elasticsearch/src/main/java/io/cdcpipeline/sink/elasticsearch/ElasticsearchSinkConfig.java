package io.cdcpipeline.sink.elasticsearch;

import static io.cdcpipeline.core.ConfigGroups.group;
import static io.cdcpipeline.core.ConfigGroups.setting;

import io.cdcpipeline.core.ConfigGroups;
import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.NameTemplate;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.SinkOptions;
import io.cdcpipeline.core.sink.TableOptions;
import io.cdcpipeline.core.sink.TableRefusal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of the Elasticsearch sink connector. */
public final class ElasticsearchSinkConfig extends AbstractConfig {

    public static final String URLS = "elasticsearch.urls";
    public static final String USERNAME = "elasticsearch.username";
    public static final String PASSWORD = "elasticsearch.password";
    public static final String API_KEY = "elasticsearch.api.key";
    public static final String TRUSTSTORE_LOCATION = "elasticsearch.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "elasticsearch.ssl.truststore.password";
    public static final String INDEX_NAME_FORMAT = "index.name.format";
    public static final String GC_DELETES = "index.gc.deletes";
    public static final String DYNAMIC = "index.mapping.dynamic";
    public static final String TOTAL_FIELDS_LIMIT = "index.mapping.total.fields.limit";
    public static final String INDEX_SETTINGS = "index.settings";
    public static final String WAIT_FOR_ACTIVE_SHARDS = "wait.for.active.shards";
    public static final String BATCH_MAX_ACTIONS = "batch.max.actions";
    public static final String BATCH_MAX_BYTES = SinkOptions.BATCH_MAX_BYTES;
    public static final String BATCH_LINGER_MS = SinkOptions.BATCH_LINGER_MS;
    public static final String MAX_IN_FLIGHT = "max.in.flight.requests";
    public static final String RETRY_MAX_ATTEMPTS = SinkOptions.RETRY_MAX_ATTEMPTS;
    public static final String RETRY_BACKOFF_MS = SinkOptions.RETRY_BACKOFF_MS;
    public static final String RETRY_BACKOFF_MAX_MS = SinkOptions.RETRY_BACKOFF_MAX_MS;
    public static final String TOAST_PLACEHOLDER = SinkOptions.TOAST_PLACEHOLDER;
    public static final String TIMESTAMP_FIELD_TYPE = "timestamp.field.type";
    /**
     * Per-table keys: {@code index.override.<schema>.<table>.name}, {@code .mapping} (JSON properties) and
     * {@code .settings} (JSON index settings).
     */
    public static final String OVERRIDE_PREFIX = "index.override.";

    /** Every setting, before it is placed in its group (CONFIG_DEF). */
    private static final ConfigDef DEFINED = new ConfigDef()
            .define(URLS, Type.LIST, "http://127.0.0.1:9200", new HttpUrls(), Importance.HIGH,
                    "HTTP endpoints of the Elasticsearch cluster, comma-separated.")
            .define(USERNAME, Type.STRING, "", Importance.HIGH,
                    "User for basic authentication; empty for none.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                    "Password for basic authentication; use a config provider such as ${env:ES_PASSWORD}.")
            .define(API_KEY, Type.PASSWORD, "", Importance.HIGH,
                    "An API key (the base64 'id:key' form Elasticsearch returns as 'encoded'), sent as "
                            + "'Authorization: ApiKey ...'; use instead of user and password. Empty for none.")
            .define(TRUSTSTORE_LOCATION, Type.STRING, "", ConfigValidators.readableFile(), Importance.MEDIUM,
                    "Trust store (PKCS12 or JKS) with the CA that signed the cluster's certificate, for https:// "
                            + "URLs; empty uses the JVM's default trust store.")
            .define(TRUSTSTORE_PASSWORD, Type.PASSWORD, "", Importance.MEDIUM, "Password of that trust store.")
            .define(INDEX_NAME_FORMAT, Type.STRING, "${table}", NameTemplate.validator(), Importance.MEDIUM,
                    "Name of a table's alias, from the placeholders ${schema} and ${table}; lower-cased, as "
                            + "Elasticsearch requires. The sink writes through the alias to the index <name>_v<N>, "
                            + "so a rebuild can swap the alias. " + OVERRIDE_PREFIX + "<schema>.<table>.name "
                            + "overrides it for one table.")
            .define(GC_DELETES, Type.STRING, "1h", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "index.gc_deletes of the indices the sink creates: how long a versioned delete's tombstone "
                            + "blocks older writes of the same document. It must outlast the longest replay you "
                            + "expect (a redelivery older than this could bring a deleted document back); longer "
                            + "values keep more tombstones in memory.")
            .define(TIMESTAMP_FIELD_TYPE, Type.STRING, "date", ValidString.in("date", "date_nanos"), Importance.MEDIUM,
                    "Field type of timestamp columns in indices the sink creates. 'date' holds any year from -9999 "
                            + "to 9999 and is searched and sorted to the millisecond (the document keeps every digit "
                            + "of the source); 'date_nanos' is searched to the nanosecond but holds only 1970 to 2262. "
                            + "An index that exists keeps the type its fields have.")
            .define(DYNAMIC, Type.STRING, "strict", ValidString.in("strict", "false", "true"), Importance.MEDIUM,
                    "The mapping's dynamic policy. The sink maps every source column itself and adds new columns "
                            + "before the documents that carry them, so 'strict' (refuse unknown fields) is safe; "
                            + "'false' keeps unknown fields unindexed, 'true' maps them by guessing. json columns "
                            + "are objects with dynamic mapping inside.")
            .define(TOTAL_FIELDS_LIMIT, Type.INT, 1000, Range.between(10, 100_000), Importance.MEDIUM,
                    "index.mapping.total_fields.limit of the indices the sink creates: a guard against mapping "
                            + "explosion (json objects with ever new keys). A document that would pass it is "
                            + "dead-lettered with that reason; the rest of the bulk lands.")
            .define(INDEX_SETTINGS, Type.STRING, "", ConfigValidators.jsonObject(), Importance.LOW,
                    "Extra index settings for created indices, as JSON (for example analyzers: "
                            + "{\"analysis\":{\"analyzer\":{...}}}, or on a cluster {\"number_of_shards\": 3, "
                            + "\"number_of_replicas\": 1}); " + OVERRIDE_PREFIX + "<schema>.<table>.settings adds to and "
                            + "replaces them for one table, and " + OVERRIDE_PREFIX + "<schema>.<table>.mapping gives "
                            + "per-table field mappings as JSON properties that replace the derived ones. Applied when "
                            + "an index is created (and to the new index of a rebuild).")
            .define(WAIT_FOR_ACTIVE_SHARDS, Type.STRING, "1", ConfigDef.LambdaValidator.with((name, value) -> {
                        String text = ((String) value).trim();
                        if (!text.equals("all") && !text.matches("[1-9][0-9]{0,2}")) {
                            throw new ConfigException(name, value, "must be 'all' or a number of shard copies (1 "
                                    + "and more)");
                        }
                    }, () -> "all, or 1 and more"), Importance.LOW,
                    "Shard copies (primary included) that must be active before a _bulk request or an index "
                            + "creation proceeds (Elasticsearch's wait_for_active_shards). 1: the primary only, "
                            + "writes go on while replicas are missing; 'all' or 2 on a cluster with a replica: a write "
                            + "waits (then fails and is retried) until a replica is active too, never acknowledged by "
                            + "one node alone.")
            .define(BATCH_MAX_ACTIONS, Type.INT, 1000, Range.between(1, 100_000), Importance.MEDIUM,
                    "Index and delete actions per _bulk request.")
            .define(MAX_IN_FLIGHT, Type.INT, 2, Range.between(1, 32), Importance.MEDIUM,
                    "_bulk requests in flight at once. Order between them does not matter: every write carries "
                            + "its version, so an older one never wins.");

    static {
        SinkOptions.defineBatching(DEFINED, 5L * 1024 * 1024, "Largest _bulk request body.", 200L,
                "Longest time a change waits before it is sent, however small the request.");
        SinkOptions.defineRetries(DEFINED, "Attempts of a request (or of the items of one refused with 429 or "
                + "5xx) before its documents are buffered again and Connect is asked to redeliver; the task never "
                + "dies of backpressure.");
        SinkOptions.defineToastPlaceholder(DEFINED, "the sink keeps the stored field instead of writing the "
                + "placeholder.");
        SourceCheckConfig.define(DEFINED);
        TableRefusal.define(DEFINED);
        OutOfRangeValues.define(DEFINED, "Infinity and NaN in float and double fields, stored as null; timestamps "
                + "outside a date field's years -9999 to 9999 or a date_nanos field's 1970 to 2262, stored as the "
                + "first or last instant it holds");
    }

    /** The settings in their groups, in the order Connect's validation and docs/configuration.md show them. */
    public static final ConfigDef CONFIG_DEF = ConfigGroups.of(DEFINED,
            group("Connection",
                    setting(URLS, "Elasticsearch URLs"),
                    setting(USERNAME, "User"),
                    setting(PASSWORD, "Password"),
                    setting(API_KEY, "API key"),
                    setting(TRUSTSTORE_LOCATION, "Trust store"),
                    setting(TRUSTSTORE_PASSWORD, "Trust store password")),
            group("Indices",
                    setting(INDEX_NAME_FORMAT, "Index (alias) name format"),
                    setting(GC_DELETES, "index.gc_deletes"),
                    setting(TIMESTAMP_FIELD_TYPE, "Timestamp field type"),
                    setting(DYNAMIC, "Dynamic mapping"),
                    setting(TOTAL_FIELDS_LIMIT, "Total fields limit"),
                    setting(INDEX_SETTINGS, "Index settings (JSON)"),
                    setting(WAIT_FOR_ACTIVE_SHARDS, "Wait for active shards"),
                    setting(TableRefusal.CONFIG, "Refused table recheck (ms)")),
            group("Values",
                    setting(OutOfRangeValues.CONFIG, "Values out of range"),
                    setting(TOAST_PLACEHOLDER, "Unchanged-TOAST placeholder")),
            group("Writes", List.of(
                    setting(BATCH_MAX_ACTIONS, "Actions per request"),
                    setting(BATCH_MAX_BYTES, "Request bytes"),
                    setting(BATCH_LINGER_MS, "Batch linger (ms)"),
                    setting(MAX_IN_FLIGHT, "Requests in flight")),
                    SinkOptions.retrySettings()),
            SourceCheckConfig.group());

    private final TableOptions overrides;

    public ElasticsearchSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.overrides = parseOverrides(originalsStrings());
        SinkOptions.check(this);
        if (!username().isEmpty() && !apiKey().isEmpty()) {
            throw new ConfigException(API_KEY, "[hidden]", "set either " + API_KEY + " or " + USERNAME + ", not both");
        }
    }

    private static TableOptions parseOverrides(Map<String, String> config) {
        Map<String, TableOptions.Check> checks = new LinkedHashMap<>();
        checks.put("name", (key, value) -> {
            if (value.isEmpty() || !value.equals(value.toLowerCase(Locale.ROOT)) || value.startsWith("_")
                    || value.startsWith("-") || value.matches(".*[\\\\/*?\"<>| ,#:].*")) {
                throw new ConfigException(key, value, "is not a valid index name (lower case, no spaces or "
                        + "\\ / * ? \" < > | , # :, not starting with _ or -)");
            }
        });
        checks.put("mapping", Json::objectOrEmpty);
        checks.put("settings", Json::objectOrEmpty);
        return TableOptions.parse(config, OVERRIDE_PREFIX, "index override", checks);
    }

    public List<String> urls() {
        return getList(URLS);
    }

    public String username() {
        return getString(USERNAME);
    }

    public String password() {
        Password password = getPassword(PASSWORD);
        return password == null ? "" : password.value();
    }

    public String apiKey() {
        Password key = getPassword(API_KEY);
        return key == null ? "" : key.value();
    }

    public String truststoreLocation() {
        return getString(TRUSTSTORE_LOCATION);
    }

    public String truststorePassword() {
        Password password = getPassword(TRUSTSTORE_PASSWORD);
        return password == null ? "" : password.value();
    }

    /** The alias a source table is written through (lower case). */
    /** The field type of timestamp columns in new indices: "date" or "date_nanos". */
    public String timestampFieldType() {
        return getString(TIMESTAMP_FIELD_TYPE);
    }

    public long refusalRecheckMillis() {
        return TableRefusal.recheckMillis(this);
    }

    public OutOfRangeValues.Policy outOfRange() {
        return OutOfRangeValues.policy(this);
    }

    public String aliasFor(TableId table) {
        String name = overrides.get(table, "name");
        if (name == null) {
            name = NameTemplate.parse(INDEX_NAME_FORMAT, getString(INDEX_NAME_FORMAT)).apply(table);
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** Per-table mapping properties (JSON object text) that replace the derived ones, or null. */
    public String mappingOverride(TableId table) {
        return overrides.get(table, "mapping");
    }

    public String gcDeletes() {
        return getString(GC_DELETES);
    }

    public String dynamic() {
        return getString(DYNAMIC);
    }

    public int totalFieldsLimit() {
        return getInt(TOTAL_FIELDS_LIMIT);
    }

    /**
     * The settings of a new index for a table: {@code index.settings}, the table's {@code .settings} override over
     * them, and what the sink itself needs (gc_deletes, the total fields limit).
     */
    public Map<String, Object> indexSettings(TableId table) {
        Map<String, Object> settings = new LinkedHashMap<>(Json.objectOrEmpty(INDEX_SETTINGS, getString(INDEX_SETTINGS)));
        String override = overrides.get(table, "settings");
        if (override != null) {
            settings.putAll(Json.objectOrEmpty(OVERRIDE_PREFIX + table.schema() + "." + table.table() + ".settings",
                    override));
        }
        settings.put("index.gc_deletes", gcDeletes());
        settings.put("index.mapping.total_fields.limit", totalFieldsLimit());
        return settings;
    }

    public String waitForActiveShards() {
        return getString(WAIT_FOR_ACTIVE_SHARDS).trim();
    }

    public int batchMaxActions() {
        return getInt(BATCH_MAX_ACTIONS);
    }

    public long batchMaxBytes() {
        return getLong(BATCH_MAX_BYTES);
    }

    public long batchLingerMs() {
        return getLong(BATCH_LINGER_MS);
    }

    public int maxInFlight() {
        return getInt(MAX_IN_FLIGHT);
    }

    public RetryBackoff backoff() {
        return SinkOptions.backoff(this);
    }

    public String toastPlaceholder() {
        return getString(TOAST_PLACEHOLDER);
    }

    static final class HttpUrls implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> urls = (List<String>) value;
            if (urls == null || urls.isEmpty()) {
                throw new ConfigException(name, value, "needs at least one http:// or https:// URL");
            }
            for (String url : urls) {
                if (!(url.startsWith("http://") || url.startsWith("https://"))) {
                    throw new ConfigException(name, value, "'" + url + "' is not an http:// or https:// URL");
                }
            }
        }

        @Override
        public String toString() {
            return "comma-separated http(s)://host:port";
        }
    }
}
