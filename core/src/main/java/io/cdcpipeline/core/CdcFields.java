package io.cdcpipeline.core;

/**
 * Names of the CDC metadata fields in a flattened record. They are the names Debezium's
 * {@code ExtractNewRecordState} writes for {@code add.fields=op,schema,table,lsn,txId,source.ts_ms} and
 * {@code delete.tombstone.handling.mode=rewrite}, so a record flattened by Debezium and one flattened by our own
 * transform read the same way.
 */
public final class CdcFields {

    public static final String OPERATION = "__op";
    public static final String SCHEMA = "__schema";
    public static final String TABLE = "__table";
    public static final String LSN = "__lsn";
    public static final String TX_ID = "__txId";
    public static final String SOURCE_TS_MS = "__source_ts_ms";
    public static final String DELETED = "__deleted";

    /** Every flattened metadata field starts with this; row columns never do. */
    public static final String PREFIX = "__";

    private CdcFields() {
    }

    public static boolean isMetadata(String fieldName) {
        return fieldName.startsWith(PREFIX);
    }
}
