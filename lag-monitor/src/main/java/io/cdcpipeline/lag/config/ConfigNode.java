package io.cdcpipeline.lag.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdcpipeline.core.ConfigProviders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the monitor's YAML config with its path, so every error names the setting at fault
 * ({@code sinks.search.url: required}). Text values may use the config providers of
 * Kafka Connect, {@code ${env:NAME}} and {@code ${file:/path/to/file.properties:key}}, as the connector configs do.
 */
public final class ConfigNode {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final JsonNode node;
    private final String path;
    private final Map<String, String> environment;

    ConfigNode(JsonNode node, String path, Map<String, String> environment) {
        this.node = node;
        this.path = path;
        this.environment = environment;
    }

    public String path() {
        return path;
    }

    public boolean has(String name) {
        return node != null && node.hasNonNull(name);
    }

    public ConfigNode child(String name) {
        return new ConfigNode(node == null ? null : node.get(name), path.isEmpty() ? name : path + "." + name,
                environment);
    }

    public ConfigException error(String message) {
        return new ConfigException(path + ": " + message);
    }

    public String text(String name) {
        ConfigNode child = child(name);
        if (child.node == null || child.node.isNull()) {
            throw child.error("required");
        }
        if (!child.node.isValueNode()) {
            throw child.error("expected a value, got " + child.node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return child.resolve(child.node.asText());
    }

    public String text(String name, String fallback) {
        return has(name) ? text(name) : fallback;
    }

    private String resolve(String value) {
        if (!value.contains("${")) {
            return value;
        }
        try {
            return ConfigProviders.resolve(Map.of(path, value), environment).get(path);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw error(e.getMessage());
        }
    }

    public Duration duration(String name, Duration fallback) {
        return duration(name, fallback, false);
    }

    /** A duration that may also be zero ({@code 0s}: "at once"). */
    public Duration durationOrZero(String name, Duration fallback) {
        return duration(name, fallback, true);
    }

    private Duration duration(String name, Duration fallback, boolean zeroAllowed) {
        if (!has(name)) {
            return fallback;
        }
        String text = text(name).trim();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw child(name).error("'" + text + "' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 30d");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.isZero() && !zeroAllowed) {
            throw child(name).error("must be longer than zero");
        }
        return duration;
    }

    /** A fraction written as {@code 99%}, {@code 99.9 %} or {@code 0.99}; must lie strictly between 0 and 1. */
    public double fraction(String name, double fallback) {
        if (!has(name)) {
            return fallback;
        }
        String text = text(name).trim();
        try {
            double value = text.endsWith("%") ? Double.parseDouble(text.substring(0, text.length() - 1).trim()) / 100
                    : Double.parseDouble(text);
            if (value <= 0 || value >= 1) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw child(name).error("'" + text + "' is not an objective between 0 and 100 %, e.g. 99% or 0.999");
        }
    }

    /** A size written as {@code 2GB}, {@code 512 MB}, {@code 64kB} or a number of bytes; must be above zero. */
    public long bytes(String name, long fallback) {
        if (!has(name)) {
            return fallback;
        }
        String text = text(name).trim();
        Matcher m = Pattern.compile("(?i)(\\d+)\\s*(b|kb|mb|gb|tb)?").matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) <= 0) {
            throw child(name).error("'" + text + "' is not a size above zero, e.g. 2GB, 512MB or 1048576");
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT)) {
            case "kb" -> 1L << 10;
            case "mb" -> 1L << 20;
            case "gb" -> 1L << 30;
            case "tb" -> 1L << 40;
            default -> 1L;
        };
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    }

    public int port(String name, int fallback) {
        if (!has(name)) {
            return fallback;
        }
        String text = text(name);
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw child(name).error("'" + text + "' is not a port (0-65535; 0 picks a free one)");
        }
    }

    /** The entries of a mapping, in file order. */
    public List<Map.Entry<String, ConfigNode>> entries() {
        List<Map.Entry<String, ConfigNode>> entries = new ArrayList<>();
        if (node == null) {
            return entries;
        }
        if (!node.isObject()) {
            throw error("expected a mapping of names to settings");
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            entries.add(Map.entry(name, child(name)));
        }
        return entries;
    }

    /** The items of a list. */
    public List<ConfigNode> items() {
        List<ConfigNode> items = new ArrayList<>();
        if (node == null) {
            return items;
        }
        if (!node.isArray()) {
            throw error("expected a list");
        }
        for (int i = 0; i < node.size(); i++) {
            items.add(new ConfigNode(node.get(i), path + "[" + i + "]", environment));
        }
        return items;
    }

    /** A list of text values, or one text value as a list of one. */
    public List<String> texts(String name, List<String> fallback) {
        if (!has(name)) {
            return fallback;
        }
        ConfigNode child = child(name);
        if (child.node.isValueNode()) {
            return List.of(child.resolve(child.node.asText()));
        }
        List<String> values = new ArrayList<>();
        for (ConfigNode item : child.items()) {
            values.add(item.resolve(item.node.asText()));
        }
        return values;
    }

    /** Fails naming any key of this mapping that is not one of {@code known}: a typo must not be ignored. */
    public void onlyKeys(String... known) {
        if (node == null || !node.isObject()) {
            return;
        }
        List<String> allowed = List.of(known);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw child(name).error("unknown setting; expected one of " + allowed);
            }
        }
    }
}
