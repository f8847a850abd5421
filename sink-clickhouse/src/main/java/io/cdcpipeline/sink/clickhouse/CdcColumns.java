package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.List;

/**
 * The CDC columns the sink adds to every table, named alike everywhere so BI queries can rely on them. The
 * {@code _cdc_} prefix keeps them apart from source columns.
 */
final class CdcColumns {

    /** The change version (from the change's LSN): ReplacingMergeTree keeps the row with the highest. */
    static final String VERSION = "_cdc_version";
    /** 1 for a delete marker, 0 for a live row. */
    static final String DELETED = "_cdc_deleted";
    /** When the change committed in Postgres. */
    static final String SOURCE_TS = "_cdc_source_ts";
    /** When the sink wrote the row into ClickHouse (the server's clock). */
    static final String WRITTEN_AT = "_cdc_written_at";

    /**
     * Tables without a primary key only: the row's own key, a hash of its content ({@link RowEncoder}), which the
     * table is ordered by, so that a row's versions replace each other as a keyed row's do.
     */
    static final String ROW_KEY = "_cdc_row_key";

    static final List<String> ALL = List.of(VERSION, DELETED, SOURCE_TS, WRITTEN_AT, ROW_KEY);
    /** What every insert sets; the time written is the column's default. */
    static final List<String> WRITTEN = List.of(SqlText.identifier(VERSION), SqlText.identifier(DELETED),
            SqlText.identifier(SOURCE_TS));

    private CdcColumns() {
    }

    static boolean isCdcColumn(String name) {
        return ALL.contains(name);
    }

    static List<String> definitions(ClickHouseDialect dialect, boolean keyless) {
        List<String> columns = new ArrayList<>(List.of(
                VERSION + " UInt64",
                DELETED + " UInt8",
                SOURCE_TS + " " + dialect.dateTime(6).sql(),
                WRITTEN_AT + " " + dialect.dateTime(3).sql() + " DEFAULT " + dialect.nowExpression()));
        if (keyless) {
            columns.add(ROW_KEY + " UInt64");
        }
        return columns;
    }
}
