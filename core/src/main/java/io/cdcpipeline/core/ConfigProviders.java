package io.cdcpipeline.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                    throw new ConfigException(key, value, unresolved(result));
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

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]*)}");

    /** Says what each reference left unresolved points at, and how to provide it. */
    static String unresolved(String result) {
        StringJoiner problems = new StringJoiner("; ");
        Matcher m = REFERENCE.matcher(result);
        while (m.find()) {
            if (m.group(1).equals("env")) {
                String name = m.group(2);
                problems.add("environment variable " + name + " is not set for this process: run 'export " + name
                        + "=...' first (a plain '" + name + "=...' line sets it in the shell only, and programs "
                        + "started from the shell do not see it; eval \"$(bin/cdc stack env)\" exports the stack's "
                        + "variables)");
            } else {
                int colon = m.group(2).lastIndexOf(':');
                String file = colon < 0 ? m.group(2) : m.group(2).substring(0, colon);
                String entry = colon < 0 ? "" : m.group(2).substring(colon + 1);
                problems.add(Files.isReadable(Path.of(file))
                        ? "file " + file + " has no entry '" + entry + "'"
                        : "file " + file + " does not exist or cannot be read");
            }
        }
        return problems.length() == 0 ? "refers to an environment variable or file entry that does not exist"
                : problems.toString();
    }
}
