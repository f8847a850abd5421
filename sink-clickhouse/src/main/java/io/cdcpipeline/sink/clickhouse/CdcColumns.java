package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

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

    /**
     * Tables with a change history only ({@link ChangeHistory}): the operation of the change (r, c, u, d), so the
     * history tells an insert from an update.
     */
    static final String OP = "_cdc_op";
    /** Tables with a change history only: the Postgres transaction id of the change, where Debezium gives it. */
    static final String TX_ID = "_cdc_tx_id";
    /**
     * Tables with a change history only: the row before the change as JSON, where Postgres sends it (the key of a
     * delete; the whole old row of an update or delete under REPLICA IDENTITY FULL).
     */
    static final String BEFORE = "_cdc_before";

    /** The values of {@link #OP}, as the Enum8 stores them. */
    static final String OP_TYPE = "Enum8('r' = 1, 'c' = 2, 'u' = 3, 'd' = 4)";

    static final List<String> ALL = List.of(VERSION, DELETED, SOURCE_TS, WRITTEN_AT, ROW_KEY, OP, TX_ID, BEFORE);
    /** What every insert into a table with a history sets besides {@link #WRITTEN}, in this order. */
    static final List<String> WRITTEN_FOR_HISTORY = List.of(SqlText.identifier(OP), SqlText.identifier(TX_ID),
            SqlText.identifier(BEFORE));
    /** What every insert sets; the time written is the column's default. */
    static final List<String> WRITTEN = List.of(SqlText.identifier(VERSION), SqlText.identifier(DELETED),
            SqlText.identifier(SOURCE_TS));

    private CdcColumns() {
    }

    static boolean isCdcColumn(String name) {
        return ALL.contains(name);
    }

    static List<String> definitions(ClickHouseDialect dialect, boolean keyless, boolean history) {
        List<String> columns = new ArrayList<>(List.of(
                VERSION + " UInt64",
                DELETED + " UInt8",
                SOURCE_TS + " " + dialect.dateTime(6).sql(),
                WRITTEN_AT + " " + dialect.dateTime(3).sql() + " DEFAULT " + dialect.nowExpression()));
        if (keyless) {
            columns.add(ROW_KEY + " UInt64");
        }
        if (history) {
            columns.addAll(historyDefinitions());
        }
        return columns;
    }

    /** The columns a table with a change history has besides the others, in the order inserts write them. */
    static List<String> historyDefinitions() {
        return List.of(OP + " " + OP_TYPE, TX_ID + " Nullable(Int64)", BEFORE + " Nullable(String)");
    }

    /**
     * An {@code INSERT ... SELECT} that writes a delete marker for each row {@code fromWhere} selects: the row's own
     * values, the version {@code versionExpression}, its commit time, and on a table with a history the operation d
     * (so the history shows the removal).
     */
    static String markerCopy(String table, Map<String, String> columns, String versionExpression, String fromWhere) {
        StringJoiner copied = new StringJoiner(", ");
        columns.keySet().stream().filter(c -> !isCdcColumn(c)).forEach(c -> copied.add(SqlText.identifier(c)));
        boolean history = columns.containsKey(OP);
        return "INSERT INTO " + table + " (" + copied + ", " + String.join(", ", WRITTEN)
                + (history ? ", " + SqlText.identifier(OP) : "") + ") SELECT " + copied + ", " + versionExpression
                + ", toUInt8(1), " + SOURCE_TS + (history ? ", 'd'" : "") + fromWhere;
    }
}
