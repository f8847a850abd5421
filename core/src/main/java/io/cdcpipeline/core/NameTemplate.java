package io.cdcpipeline.core;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A target name (ClickHouse table, Elasticsearch index) made from the source table by a template with the
 * placeholders {@code ${schema}} and {@code ${table}}, e.g. {@code ${schema}_${table}}.
 */
public final class NameTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final Set<String> KNOWN = Set.of("schema", "table");

    private final String template;

    private NameTemplate(String template) {
        this.template = template;
    }

    /** Parses a template; a {@link ConfigException} names the setting and the unknown placeholder. */
    public static NameTemplate parse(String setting, String template) {
        if (template == null || template.isBlank()) {
            throw new ConfigException(setting, template, "must not be empty");
        }
        Matcher m = PLACEHOLDER.matcher(template);
        boolean any = false;
        while (m.find()) {
            any = true;
            if (!KNOWN.contains(m.group(1))) {
                throw new ConfigException(setting, template, "unknown placeholder ${" + m.group(1)
                        + "}; use ${schema} and ${table}");
            }
        }
        if (!any) {
            throw new ConfigException(setting, template, "must contain ${table}, or every table would share one name");
        }
        return new NameTemplate(template);
    }

    /** A ConfigDef validator that accepts exactly what {@link #parse} accepts. */
    public static ConfigDef.Validator validator() {
        return (name, value) -> parse(name, (String) value);
    }

    public String apply(TableId table) {
        return template.replace("${schema}", table.schema()).replace("${table}", table.table());
    }

    @Override
    public String toString() {
        return template;
    }
}
