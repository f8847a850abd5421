package io.cdcpipeline.core.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A sink connector whose tasks all get the connector's own config: it checks that config once at start (so a bad
 * config fails the connector, not every task) and hands a copy to each task. Validation comes in two parts:
 * {@link #validateWithoutConnecting} (field validators and {@link #checkConfig rules across fields}) and
 * {@link #validate}, which adds {@link #checkServer} (reachability, credentials, what must exist there).
 */
public abstract class ConfiguredSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        config().parse(props);
        checkConfig(props);
        this.props = Map.copyOf(props);
    }

    /** Rules the ConfigDef cannot express (keys with dynamic names, relations between keys); throws ConfigException. */
    protected void checkConfig(Map<String, String> props) {
    }

    /** Checks against the server; report problems with {@link #addError}. Called only for a config without errors. */
    protected void checkServer(Map<String, String> props, Config result) {
    }

    /**
     * The checks of {@link #validate} that need no server. The embedded runner uses this to check a pipeline file
     * before anything runs.
     */
    public Config validateWithoutConnecting(Map<String, String> props) {
        Config result = super.validate(props);
        if (!hasErrors(result)) {
            try {
                checkConfig(props);
            } catch (ConfigException e) {
                addError(result, keyOf(e), e.getMessage());
            }
        }
        return result;
    }

    @Override
    public Config validate(Map<String, String> props) {
        Config result = validateWithoutConnecting(props);
        if (!hasErrors(result)) {
            checkServer(props, result);
        }
        return result;
    }

    protected static boolean hasErrors(Config result) {
        return result.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
    }

    /** Adds an error under {@code key}, so Connect's REST API shows it beside that setting. */
    protected static void addError(Config result, String key, String message) {
        List<ConfigValue> values = result.configValues();
        for (ConfigValue value : values) {
            if (value.name().equals(key)) {
                value.addErrorMessage(message);
                return;
            }
        }
        ConfigValue value = new ConfigValue(key);
        value.addErrorMessage(message);
        values.add(value);
    }

    /** The key a ConfigException names: its message reads "Invalid value X for configuration KEY: ...". */
    private static String keyOf(ConfigException e) {
        String message = String.valueOf(e.getMessage());
        int at = message.indexOf("for configuration ");
        if (at < 0) {
            return "connector.class";
        }
        String rest = message.substring(at + "for configuration ".length());
        int colon = rest.indexOf(':');
        return colon < 0 ? rest.trim() : rest.substring(0, colon).trim();
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
        // holds nothing but its config
    }

    @Override
    public String version() {
        return versionOf(getClass());
    }

    /** The implementation version in the jar manifest, or "dev" when run from classes. */
    public static String versionOf(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
