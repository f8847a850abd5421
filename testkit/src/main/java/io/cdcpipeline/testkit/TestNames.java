package io.cdcpipeline.testkit;

import java.util.Locale;
import java.util.UUID;

/** Unique names for what tests create, valid as Postgres, ClickHouse and Kafka identifiers and ES index names. */
public final class TestNames {

    private TestNames() {
    }

    /** {@code prefix} (lower-cased) followed by '_' and twelve random hex digits, e.g. {@code it_3fa85f6457b2}. */
    public static String unique(String prefix) {
        if (!prefix.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("name prefix must start with a letter and hold only letters, digits "
                    + "and '_', got '" + prefix + "'");
        }
        return prefix.toLowerCase(Locale.ROOT) + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
