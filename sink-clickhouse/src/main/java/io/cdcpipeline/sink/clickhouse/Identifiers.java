package io.cdcpipeline.sink.clickhouse;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Which names the sink accepts for databases, tables and columns. Every name is back-quoted in SQL, so quotes,
 * spaces, unicode and keywords are fine; what is refused is what a name cannot safely be: empty, holding control
 * characters (NUL, newlines), or too long for a ClickHouse table's directory name.
 */
final class Identifiers {

    private static final int MAX_BYTES = 200;

    private Identifiers() {
    }

    /** Why {@code name} cannot be a ClickHouse identifier, or null if it can. */
    static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "holds the control character U+" + String.format("%04X", (int) name.charAt(i));
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "is longer than " + MAX_BYTES + " bytes";
        }
        return null;
    }

    static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                String problem = problem((String) value);
                if (problem != null) {
                    throw new ConfigException(name, value, "is not a safe ClickHouse name: it " + problem);
                }
            }

            @Override
            public String toString() {
                return "a name without control characters, at most " + MAX_BYTES + " bytes";
            }
        };
    }
}
