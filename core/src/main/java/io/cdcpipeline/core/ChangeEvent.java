package io.cdcpipeline.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One change to one row, read from a Debezium Postgres record: either the full envelope
 * ({@code before}, {@code after}, {@code source}, {@code op}) or a record already flattened with the
 * {@link CdcFields} metadata fields.
 *
 * <h2>The change version</h2>
 * {@link #changeVersion()} comes from the change's own LSN ({@code source.lsn}). Sinks keep, per row, the write with
 * the highest version and drop anything older, which makes replays and redeliveries harmless. The LSN works as a
 * version because Postgres serialises changes to one row with row locks: a later committed change to a row is always
 * written to the WAL after the earlier one committed, so its LSN is higher, even across interleaved transactions and
 * for several updates of one row inside one transaction.
 * <p>
 * Snapshot reads carry the snapshot's LSN, its consistent point: they hold each row as it was <em>before</em> that
 * point, while a streamed change can sit exactly at it. So the version is {@code 2 * lsn} for a snapshot read and
 * {@code 2 * lsn + 1} for a streamed change: at an equal LSN the streamed change wins, and a snapshot never ties
 * with the change that came after it (ClickHouse would keep the last write on a tie, Elasticsearch the first).
 * A fresh snapshot replayed over existing data has a higher LSN than every change already applied, so it writes the
 * current state again and never lets an older state win.
 *
 * <h2>Tables without a primary key</h2>
 * Their records have a null key ({@link #hasPrimaryKey()} is false). Without a key no sink can replace or delete
 * "the" row, so sinks send such records to the dead-letter path with a reason that names the table and the fix: a
 * primary key on the table, or Debezium's {@code message.key.columns} option naming a unique column set.
 */
public final class ChangeEvent {

    private final Operation operation;
    private final TableId table;
    private final Struct key;
    private final Struct after;
    private final Struct before;
    private final Instant sourceCommitTime;
    private final long lsn;
    private final Long transactionId;

    private ChangeEvent(Operation operation, TableId table, Struct key, Struct after, Struct before,
            Instant sourceCommitTime, long lsn, Long transactionId) {
        this.operation = operation;
        this.table = table;
        this.key = key;
        this.after = after;
        this.before = before;
        this.sourceCommitTime = sourceCommitTime;
        this.lsn = lsn;
        this.transactionId = transactionId;
    }

    /** Reads a record; a {@link DataException} names the record and what it lacks. */
    public static ChangeEvent of(ConnectRecord<?> record) {
        Struct key = record.key() instanceof Struct k ? k : null;
        if (record.value() == null) {
            return new ChangeEvent(Operation.TOMBSTONE, tableFromTopic(record), key, null, null, null, 0L, null);
        }
        if (!(record.value() instanceof Struct value)) {
            throw new DataException(describe(record) + ": expected a Debezium change event (a Struct value), got "
                    + record.value().getClass().getName());
        }
        return isEnvelope(value.schema()) ? fromEnvelope(record, key, value) : fromFlattened(record, key, value);
    }

    private static boolean isEnvelope(Schema schema) {
        return schema.field("op") != null && schema.field("source") != null && schema.field("after") != null;
    }

    private static ChangeEvent fromEnvelope(ConnectRecord<?> record, Struct key, Struct value) {
        Operation op = Operation.fromCode(value.getString("op"));
        Struct source = value.getStruct("source");
        if (source == null) {
            throw new DataException(describe(record) + ": the envelope has no source block");
        }
        TableId table = new TableId(requiredString(record, source, "schema", "source.schema"),
                requiredString(record, source, "table", "source.table"));
        Long lsn = source.schema().field("lsn") == null ? null : source.getInt64("lsn");
        if (lsn == null) {
            throw new DataException(describe(record) + ": source.lsn is missing; only Debezium Postgres records "
                    + "carry the LSN that the change version comes from");
        }
        Long txId = source.schema().field("txId") == null ? null : source.getInt64("txId");
        return new ChangeEvent(op, table, key, value.getStruct("after"), value.getStruct("before"),
                commitTime(source), lsn, txId);
    }

    private static ChangeEvent fromFlattened(ConnectRecord<?> record, Struct key, Struct value) {
        Schema schema = value.schema();
        if (schema.field(CdcFields.OPERATION) == null || schema.field(CdcFields.LSN) == null) {
            throw new DataException(describe(record) + ": neither a Debezium envelope (op, source, after) nor a "
                    + "flattened record with " + CdcFields.OPERATION + " and " + CdcFields.LSN + " fields; with "
                    + "ExtractNewRecordState set add.fields=op,schema,table,lsn,txId,source.ts_ms");
        }
        Operation op = Operation.fromCode(value.getString(CdcFields.OPERATION));
        Object lsn = value.get(CdcFields.LSN);
        if (!(lsn instanceof Number lsnNumber)) {
            throw new DataException(describe(record) + ": " + CdcFields.LSN + " is empty");
        }
        TableId table = schema.field(CdcFields.SCHEMA) != null && schema.field(CdcFields.TABLE) != null
                ? new TableId(value.getString(CdcFields.SCHEMA), value.getString(CdcFields.TABLE))
                : tableFromTopic(record);
        Instant commit = null;
        if (schema.field(CdcFields.SOURCE_TS_MS) != null && value.get(CdcFields.SOURCE_TS_MS) instanceof Number ms) {
            commit = Instant.ofEpochMilli(ms.longValue());
        }
        Long txId = schema.field(CdcFields.TX_ID) != null && value.get(CdcFields.TX_ID) instanceof Number tx
                ? tx.longValue() : null;
        // A flattened delete (rewrite mode) carries the before-state as its value.
        boolean deleted = op == Operation.DELETE;
        return new ChangeEvent(op, table, key, deleted ? null : value, deleted ? value : null, commit,
                lsnNumber.longValue(), txId);
    }

    private static Instant commitTime(Struct source) {
        if (source.schema().field("ts_us") != null && source.getInt64("ts_us") != null) {
            long micros = source.getInt64("ts_us");
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        }
        Long ms = source.schema().field("ts_ms") == null ? null : source.getInt64("ts_ms");
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    /** Debezium topics are {@code <prefix>.<schema>.<table>}: the only place a tombstone names its table. */
    private static TableId tableFromTopic(ConnectRecord<?> record) {
        String[] parts = record.topic().split("\\.");
        if (parts.length < 3) {
            throw new DataException(describe(record) + ": cannot tell the table from topic '" + record.topic()
                    + "' (expected <prefix>.<schema>.<table>)");
        }
        return new TableId(parts[parts.length - 2], parts[parts.length - 1]);
    }

    private static String requiredString(ConnectRecord<?> record, Struct struct, String field, String path) {
        String value = struct.schema().field(field) == null ? null : struct.getString(field);
        if (value == null) {
            throw new DataException(describe(record) + ": " + path + " is missing");
        }
        return value;
    }

    /** How errors name a record: topic, partition and, for sink records, offset. */
    public static String describe(ConnectRecord<?> record) {
        String where = "record " + record.topic() + "-" + record.kafkaPartition();
        return record instanceof SinkRecord sink ? where + "@" + sink.kafkaOffset() : where;
    }

    public Operation operation() {
        return operation;
    }

    public TableId table() {
        return table;
    }

    /** The primary-key columns and their values, or null for a table without a primary key. */
    public Struct key() {
        return key;
    }

    public boolean hasPrimaryKey() {
        return key != null && !key.schema().fields().isEmpty();
    }

    /** The names of the primary-key columns, in key order; empty without a primary key. */
    public List<String> keyColumns() {
        if (!hasPrimaryKey()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Field field : key.schema().fields()) {
            names.add(field.name());
        }
        return names;
    }

    /** The row after the change; null for deletes, truncates and tombstones. */
    public Struct after() {
        return after;
    }

    /**
     * The row before the change, when Debezium sends it: for deletes always (key columns at least; other NOT NULL
     * columns hold placeholders under REPLICA IDENTITY DEFAULT), for updates only under REPLICA IDENTITY FULL.
     */
    public Struct before() {
        return before;
    }

    /** The schema of the row: of the after-state, else of the before-state; null when there is neither. */
    public Schema rowSchema() {
        return after != null ? after.schema() : before != null ? before.schema() : null;
    }

    /** The row's columns, without the flattened CDC metadata fields. */
    public List<Field> columns() {
        Schema schema = rowSchema();
        if (schema == null) {
            return List.of();
        }
        List<Field> columns = new ArrayList<>();
        for (Field field : schema.fields()) {
            if (!CdcFields.isMetadata(field.name())) {
                columns.add(field);
            }
        }
        return columns;
    }

    /** When the source transaction committed; null for tombstones. */
    public Instant sourceCommitTime() {
        return sourceCommitTime;
    }

    /** The WAL position of this change (for a snapshot read, of the snapshot); 0 for tombstones. */
    public long lsn() {
        return lsn;
    }

    /** The Postgres transaction id, when known. */
    public Long transactionId() {
        return transactionId;
    }

    /**
     * The version sinks order writes of one row by: {@code 2 * lsn} for a snapshot read, {@code 2 * lsn + 1} for a
     * streamed change (see the class comment). 0 for tombstones.
     */
    public long changeVersion() {
        if (operation == Operation.TOMBSTONE) {
            return 0L;
        }
        return operation == Operation.READ ? lsn * 2 : lsn * 2 + 1;
    }

    public boolean isDelete() {
        return operation == Operation.DELETE;
    }

    @Override
    public String toString() {
        return operation + " " + table + " key=" + key + " version=" + changeVersion();
    }
}
