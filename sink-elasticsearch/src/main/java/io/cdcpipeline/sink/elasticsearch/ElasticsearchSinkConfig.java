package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.NameTemplate;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of the Elasticsearch sink connector. */
public final class ElasticsearchSinkConfig extends AbstractConfig {

    public static final String URLS = "elasticsearch.urls";
    public static final String USERNAME = "elasticsearch.username";
    public static final String PASSWORD = "elasticsearch.password";
    public static final String INDEX_NAME_FORMAT = "index.name.format";
    public static final String GC_DELETES = "index.gc.deletes";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(URLS, Type.LIST, "http://127.0.0.1:9200", new HttpUrls(), Importance.HIGH,
                    "HTTP endpoints of the Elasticsearch cluster, comma-separated.")
            .define(USERNAME, Type.STRING, "", Importance.HIGH,
                    "User for basic authentication; empty for none.")
            .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                    "Password for basic authentication; use a config provider such as ${env:ES_PASSWORD}.")
            .define(INDEX_NAME_FORMAT, Type.STRING, "${table}", NameTemplate.validator(), Importance.MEDIUM,
                    "Index for a source table, from the placeholders ${schema} and ${table}; lower-cased, as "
                            + "Elasticsearch requires.")
            .define(GC_DELETES, Type.STRING, "1h", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "index.gc_deletes of the indices the sink creates: how long a versioned delete's tombstone "
                            + "blocks older writes of the same document. It must outlast the longest replay you "
                            + "expect; longer values keep more tombstones in memory.")
            .define(MAX_RETRIES, Type.INT, 10, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How often a bulk item refused with 429 or 5xx is retried, with exponential backoff, before the "
                            + "batch is handed back to the runner to retry later.")
            .define(RETRY_BACKOFF_MS, Type.LONG, 200L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "First backoff between retries, doubled each time (with jitter).");

    public ElasticsearchSinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
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

    public NameTemplate indexNames() {
        return NameTemplate.parse(INDEX_NAME_FORMAT, getString(INDEX_NAME_FORMAT));
    }

    public String gcDeletes() {
        return getString(GC_DELETES);
    }

    public int maxRetries() {
        return getInt(MAX_RETRIES);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
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
