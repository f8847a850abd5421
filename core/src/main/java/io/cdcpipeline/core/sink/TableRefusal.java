package io.cdcpipeline.core.sink;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.connect.data.Schema;

/**
 * A table a sink cannot write under a schema (a type change the target cannot apply, a statement it refuses), with
 * its reason. Records of that schema are dead-lettered without asking the target again, but only for
 * {@value #CONFIG} milliseconds: then the target is looked at afresh, so a fix made there (an {@code ALTER} by hand, a
 * rebuilt index) is picked up without a restart. A new schema of the table is always examined at once.
 */
public record TableRefusal(Schema schema, String reason, long refusedAtMillis) {

    public static final String CONFIG = "refusal.recheck.ms";
    private static final long DEFAULT_MS = 30_000L;

    /** Defines {@value #CONFIG}. */
    public static ConfigDef define(ConfigDef def) {
        return def.define(CONFIG, Type.LONG, DEFAULT_MS, Range.between(0, 86_400_000L), Importance.LOW,
                "How long a table the target refused (a column type change it cannot apply, a statement it rejects) "
                        + "stays refused before the sink examines the target again: records of the refused schema are "
                        + "dead-lettered meanwhile without a round trip each. A fix made on the target (the column "
                        + "altered by hand, the index rebuilt) is taken up at the next look, without a restart; 0 looks "
                        + "again for every record.");
    }

    public static long recheckMillis(AbstractConfig config) {
        return config.getLong(CONFIG);
    }

    public static TableRefusal of(Schema schema, String reason) {
        return new TableRefusal(schema, reason, System.currentTimeMillis());
    }

    /** Whether this refusal still answers for a record of {@code rowSchema} ({@code recheckMillis} not yet past). */
    public boolean holdsFor(Schema rowSchema, long recheckMillis) {
        return (schema == rowSchema || schema.equals(rowSchema))
                && System.currentTimeMillis() - refusedAtMillis < recheckMillis;
    }
}
