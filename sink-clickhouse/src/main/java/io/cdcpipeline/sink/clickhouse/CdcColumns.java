package io.cdcpipeline.sink.clickhouse;

/**
 * The CDC columns the sink adds to every table, named alike everywhere so BI queries can rely on them. The
 * {@code _cdc_} prefix keeps them apart from source columns.
 */
final class CdcColumns {

    /** The change version (the change's LSN): ReplacingMergeTree keeps the row with the highest. */
    static final String VERSION = "_cdc_version";
    /** 1 for a delete marker, 0 for a live row. */
    static final String DELETED = "_cdc_deleted";
    /** When the change committed in Postgres. */
    static final String SOURCE_TS = "_cdc_source_ts";
    /** When the sink wrote the row into ClickHouse. */
    static final String WRITTEN_AT = "_cdc_written_at";

    private CdcColumns() {
    }
}
