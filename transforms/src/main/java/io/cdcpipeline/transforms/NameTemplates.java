package io.cdcpipeline.transforms;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Settings that name a target by a template of {@code ${placeholder}}s (CdcRoute, OutboxEvents). */
final class NameTemplates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

    private NameTemplates() {
    }

    /**
     * Refuses an empty template and any {@code ${name}} not among {@code placeholders}.
     *
     * @param others what else the template may hold, for the message (e.g. "$1..$9"), or null
     */
    static ConfigDef.Validator validator(List<String> placeholders, String others) {
        StringBuilder use = new StringBuilder();
        for (int i = 0; i < placeholders.size(); i++) {
            use.append(i == 0 ? "" : i == placeholders.size() - 1 && others == null ? " or " : ", ")
                    .append("${").append(placeholders.get(i)).append('}');
        }
        if (others != null) {
            use.append(" or ").append(others);
        }
        return ConfigDef.LambdaValidator.with((name, value) -> {
            String template = (String) value;
            if (template == null || template.isBlank()) {
                throw new ConfigException(name, value, "must not be empty");
            }
            Matcher m = PLACEHOLDER.matcher(template);
            while (m.find()) {
                if (!placeholders.contains(m.group(1))) {
                    throw new ConfigException(name, value, "unknown placeholder ${" + m.group(1) + "}; use " + use);
                }
            }
        }, () -> "a template with " + use);
    }
}
