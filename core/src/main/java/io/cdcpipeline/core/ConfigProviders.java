package io.cdcpipeline.core;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;

/**
 * Resolves Kafka Connect config-provider references outside a Connect worker, the way a worker configured with
 * {@code config.providers=env,file} does: {@code ${env:NAME}} and {@code ${file:/path/to/file.properties:key}}. The
 * embedded runner's pipeline files and the lag monitor's YAML use it, so a secret is referred to the same way in
 * every config the project ships.
 */
public final class ConfigProviders {

    private ConfigProviders() {
    }

    /**
     * Every value with its references replaced.
     *
     * @throws ConfigException naming the key whose reference points at no variable, file or file entry
     */
    public static Map<String, String> resolve(Map<String, String> raw, Map<String, String> environment) {
        Map<String, ConfigProvider> providers = new LinkedHashMap<>();
        providers.put("env", new EnvVarConfigProvider(environment));
        providers.put("file", new FileConfigProvider());
        providers.values().forEach(p -> p.configure(Map.of()));
        try {
            ConfigTransformer transformer = new ConfigTransformer(providers);
            Map<String, String> resolved = new TreeMap<>();
            // One key at a time: a file the provider cannot read is then reported with the setting that names it.
            raw.forEach((key, value) -> {
                String result;
                try {
                    result = transformer.transform(Collections.singletonMap(key, value)).data().get(key);
                } catch (ConfigException e) {
                    throw new ConfigException(key, value, e.getMessage());
                }
                // Kafka leaves a reference it cannot resolve as it was (an unset variable, a missing file key).
                if (result.contains("${env:") || result.contains("${file:")) {
                    throw new ConfigException(key, value,
                            "refers to an environment variable or file entry that does not exist");
                }
                resolved.put(key, result);
            });
            return resolved;
        } finally {
            for (ConfigProvider provider : providers.values()) {
                try {
                    provider.close();
                } catch (IOException ignored) {
                    // nothing held open
                }
            }
        }
    }
}
