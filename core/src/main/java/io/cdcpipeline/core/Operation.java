package io.cdcpipeline.core;

import org.apache.kafka.connect.errors.DataException;

/** What happened to a row, as Debezium's {@code op} field says, plus the tombstone that follows a delete. */
public enum Operation {
    /** A row inserted while streaming. */
    CREATE("c"),
    /** A row updated while streaming. */
    UPDATE("u"),
    /** A row deleted while streaming. */
    DELETE("d"),
    /** A row read by a snapshot: its state at the snapshot's LSN. */
    READ("r"),
    /** A whole table truncated; carries no key. Debezium skips these unless {@code skipped.operations} allows them. */
    TRUNCATE("t"),
    /**
     * The null-valued record Debezium sends after a delete so that Kafka log compaction can drop the key. It carries
     * the key only; sinks skip it, because the delete event before it already recorded the deletion with a version.
     */
    TOMBSTONE(null);

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    /** Debezium's one-letter code ({@code c}, {@code u}, {@code d}, {@code r}, {@code t}); null for a tombstone. */
    public String code() {
        return code;
    }

    /** True for the operations after which the row exists: create, update and snapshot read. */
    public boolean isUpsert() {
        return this == CREATE || this == UPDATE || this == READ;
    }

    public static Operation fromCode(String code) {
        for (Operation op : values()) {
            if (op.code != null && op.code.equals(code)) {
                return op;
            }
        }
        throw new DataException("unknown Debezium operation code '" + code + "' (expected one of c, u, d, r, t)");
    }
}
