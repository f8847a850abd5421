package io.cdcpipeline.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Validators for settings that are free text to Kafka's ConfigDef but have a form of their own, so a wrong value is
 * refused when the config is read (and shown against its key by Connect's validate endpoint), not when it is first
 * used. Each accepts an empty value, which means "not set" for all the settings that use them.
 */
public final class ConfigValidators {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigValidators() {
    }

    /** A JSON object, e.g. index settings. */
    public static ConfigDef.Validator jsonObject() {
        return described("empty, or a JSON object", (name, value) -> {
            JsonNode node;
            try {
                node = JSON.readTree(value);
            } catch (JsonProcessingException e) {
                throw new ConfigException(name, value, "not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new ConfigException(name, value, "expected a JSON object ({...})");
            }
        });
    }

    /** The path of a file this process can read. */
    public static ConfigDef.Validator readableFile() {
        return described("empty, or the path of a readable file", (name, value) -> {
            if (!Files.isReadable(Path.of(value)) || Files.isDirectory(Path.of(value))) {
                throw new ConfigException(name, value, "no readable file at this path");
            }
        });
    }

    /** Comma-separated regular expressions, as Debezium's include and exclude lists. */
    public static ConfigDef.Validator regexList() {
        return described("empty, or comma-separated regular expressions", (name, value) -> {
            for (String regex : value.split(",")) {
                if (regex.isBlank()) {
                    throw new ConfigException(name, value, "an empty entry in the list");
                }
                try {
                    Pattern.compile(regex.trim());
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(name, value, "'" + regex.trim() + "' is not a regular expression: "
                            + e.getDescription());
                }
            }
        });
    }

    /** One regular expression (matched against a whole '<schema>.<table>', say). */
    public static ConfigDef.Validator regex() {
        return described("a regular expression", (name, value) -> {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(name, value, "not a valid regular expression: " + e.getDescription());
            }
        });
    }

    /** A {@code schema.table} name, e.g. Debezium's signal table. */
    public static ConfigDef.Validator schemaTable() {
        return described("empty, or <schema>.<table>", (name, value) -> {
            String[] parts = value.split("\\.", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank() || value.contains(" ")) {
                throw new ConfigException(name, value, "expected <schema>.<table>, e.g. public.debezium_signal");
            }
        });
    }

    /** A column name: no blanks, quotes or dots. */
    public static ConfigDef.Validator columnName() {
        return described("empty, or a column name", (name, value) -> {
            if (!value.equals(value.trim()) || value.isBlank() || value.matches(".*[\\s\".`].*")) {
                throw new ConfigException(name, value, "expected a column name (no blanks, quotes or dots)");
            }
        });
    }

    /** A Postgres JDBC URL. */
    public static ConfigDef.Validator postgresJdbcUrl() {
        return described("empty, or jdbc:postgresql://host:port/database", (name, value) -> {
            if (!value.startsWith("jdbc:postgresql:")) {
                throw new ConfigException(name, value, "expected a Postgres JDBC URL, "
                        + "jdbc:postgresql://host:port/database");
            }
        });
    }

    @FunctionalInterface
    private interface Check {
        void check(String name, String value);
    }

    private static ConfigDef.Validator described(String description, Check check) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !value.toString().isEmpty()) {
                    check.check(name, value.toString());
                }
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
