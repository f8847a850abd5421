package io.cdcpipeline.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What deploying a config would change in a running connector, line by line: {@code + key=value} added,
 * {@code - key=value} removed, {@code ~ key: old -> new} changed. Values of secret keys are masked unless they are
 * config-provider references, which hold no secret: the keys the worker's validation defines as PASSWORD (the
 * connector's, its transforms' and predicates': HMAC keys, API keys), and keys named like a password, a secret or an
 * API key, for plugins the worker does not know.
 */
public final class ConfigDiff {

    private ConfigDiff() {
    }

    /** The changes from {@code running} (null: no such connector yet) to {@code wanted}; empty when equal. */
    public static List<String> between(Map<String, String> running, Map<String, String> wanted) {
        return between(running, wanted, Set.of());
    }

    /** {@link #between(Map, Map)}, masking the values of {@code secretKeys} as well. */
    public static List<String> between(Map<String, String> running, Map<String, String> wanted,
            Set<String> secretKeys) {
        List<String> lines = new ArrayList<>();
        Map<String, String> before = running == null ? Map.of() : running;
        for (String key : new TreeSet<>(union(before, wanted))) {
            String old = before.get(key);
            String now = wanted.get(key);
            if (old == null) {
                lines.add("+ " + key + "=" + shown(key, now, secretKeys));
            } else if (now == null) {
                lines.add("- " + key + "=" + shown(key, old, secretKeys));
            } else if (!old.equals(now)) {
                lines.add("~ " + key + ": " + shown(key, old, secretKeys) + " -> " + shown(key, now, secretKeys));
            }
        }
        return lines;
    }

    private static TreeSet<String> union(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static String shown(String key, String value, Set<String> secretKeys) {
        boolean secret = secretKeys.contains(key) || key.toLowerCase(Locale.ROOT).contains("password")
                || key.toLowerCase(Locale.ROOT).contains("secret")
                || key.toLowerCase(Locale.ROOT).endsWith("api.key");
        return secret && !value.isEmpty() && !value.startsWith("${") ? "********" : value;
    }
}
