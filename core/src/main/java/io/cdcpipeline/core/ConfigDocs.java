package io.cdcpipeline.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * A component's settings as a Markdown reference, generated from its {@link ConfigDef} so that it cannot drift from
 * the code: one table per group, in the group's order, each setting with its type, default, valid values,
 * importance and documentation (what Kafka's {@code ConfigDef.toEnrichedRst} gives, in Markdown).
 */
public final class ConfigDocs {

    /** A validator's {@code toString} that says nothing (an object or lambda identity): left out of the docs. */
    private static final Pattern NO_DESCRIPTION = Pattern.compile(".*(\\$\\$Lambda|@[0-9a-f]{4,}$).*");

    /** A component of the product and its settings. */
    public record Component(String title, String className, String summary, ConfigDef def) {
    }

    private ConfigDocs() {
    }

    /** The whole reference: a heading, a line saying how it is made, then each component. */
    public static String markdown(String heading, String intro, List<Component> components) {
        StringBuilder out = new StringBuilder("# ").append(heading).append("\n\n").append(intro).append("\n\n");
        for (Component c : components) {
            out.append("- [").append(c.title()).append("](#").append(anchor(c.title())).append(")\n");
        }
        for (Component c : components) {
            out.append("\n## ").append(c.title()).append("\n\n`").append(c.className()).append("`: ")
                    .append(c.summary()).append("\n");
            for (Map.Entry<String, List<ConfigDef.ConfigKey>> group : grouped(c.def()).entrySet()) {
                if (!group.getKey().isEmpty()) {
                    out.append("\n### ").append(group.getKey()).append("\n");
                }
                out.append("\n| setting | type | default | valid values | importance | description |\n")
                        .append("|---|---|---|---|---|---|\n");
                for (ConfigDef.ConfigKey key : group.getValue()) {
                    out.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase())
                            .append(" | ").append(defaultValue(key)).append(" | ").append(validValues(key))
                            .append(" | ").append(key.importance.name().toLowerCase()).append(" | ")
                            .append(cell(key.documentation)).append(" |\n");
                }
            }
        }
        return out.toString();
    }

    /** Settings by group (the def's group order, ungrouped ones first), each group by its order, then by name. */
    static Map<String, List<ConfigDef.ConfigKey>> grouped(ConfigDef def) {
        List<String> groups = def.groups();
        Map<String, List<ConfigDef.ConfigKey>> out = new LinkedHashMap<>();
        out.put("", new ArrayList<>());
        groups.forEach(g -> out.put(g, new ArrayList<>()));
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            if (!key.internalConfig) {
                out.computeIfAbsent(key.group == null ? "" : key.group, g -> new ArrayList<>()).add(key);
            }
        }
        out.values().forEach(keys -> keys.sort(Comparator.<ConfigDef.ConfigKey>comparingInt(k -> k.orderInGroup)
                .thenComparing(k -> k.name)));
        out.values().removeIf(List::isEmpty);
        return out;
    }

    private static String defaultValue(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "*required*";
        }
        Object value = key.defaultValue;
        if (value instanceof Password password) {
            value = password.value();
        }
        String text = value == null ? "null" : ConfigDef.convertToString(value, key.type);
        return text.isEmpty() ? "\"\"" : "`" + cell(text) + "`";
    }

    private static String validValues(ConfigDef.ConfigKey key) {
        if (key.validator == null) {
            return "";
        }
        String text = key.validator.toString();
        return text == null || NO_DESCRIPTION.matcher(text).matches() ? "" : cell(text);
    }

    /** Text fit for one table cell: no line breaks, pipes escaped. */
    static String cell(String text) {
        return text == null ? "" : text.replace("\r", "").replace("\n", " ").replace("|", "\\|").strip();
    }

    /** GitHub's anchor of a heading: lower case, spaces to dashes, punctuation dropped. */
    static String anchor(String heading) {
        return heading.toLowerCase().replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }
}
