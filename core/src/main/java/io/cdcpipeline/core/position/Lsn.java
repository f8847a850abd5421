package io.cdcpipeline.core.position;

/** Postgres log sequence numbers: the text form {@code 16/B374D848} and the 64-bit number Debezium stores. */
public final class Lsn {

    private Lsn() {
    }

    /** The number of an LSN written as Postgres writes it; null for null. */
    public static Long parse(String text) {
        if (text == null) {
            return null;
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hex): " + text);
        }
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    /** The text form Postgres uses, so logs can be compared with pg_replication_slots. */
    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
