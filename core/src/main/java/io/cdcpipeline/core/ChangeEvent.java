package io.cdcpipeline.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
 * <p>
 * Reads of an incremental snapshot carry no LSN and get version 0: they fill a row the target lacks and never
 * replace one it has. No higher version is safe. Debezium emits a chunk once the stream passes the chunk's high
 * watermark, and a transaction that changed a row before the chunk was read but commits only after the watermark
 * reaches the sink later, with its change's (lower) LSN: any version taken from the stream position at the read
 * (an earlier design used the newest LSN seen on the partition) can make the sink drop that change for good.
 * A row that exists in the target is current there anyway, since every change committed before the chunk was read
 * has been streamed to it already; what the read adds is the rows the target lost.
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
    private final TableId sourceTable;
    private final String snapshotMarker;

    private ChangeEvent(Operation operation, TableId table, Struct key, Struct after, Struct before,
            Instant sourceCommitTime, long lsn, Long transactionId, TableId sourceTable, String snapshotMarker) {
        this.operation = operation;
        this.table = table;
        this.key = key;
        this.after = after;
        this.before = before;
        this.sourceCommitTime = sourceCommitTime;
        this.lsn = lsn;
        this.transactionId = transactionId;
        this.sourceTable = sourceTable;
        this.snapshotMarker = snapshotMarker;
    }

    /** The LSN a read of an incremental snapshot counts as having (it carries none): see the class comment. */
    static final long INCREMENTAL_SNAPSHOT_LSN = 0;

    /** Reads a record; a {@link DataException} names the record and what it lacks. */
    public static ChangeEvent of(ConnectRecord<?> record) {
        ChangeEvent event = read(record);
        TableId routed = RouteHeaders.target(record);
        return routed == null ? event : new ChangeEvent(event.operation, routed, event.key, event.after, event.before,
                event.sourceCommitTime, event.lsn, event.transactionId, event.sourceTable, event.snapshotMarker);
    }

    private static ChangeEvent read(ConnectRecord<?> record) {
        Struct key = record.key() instanceof Struct k ? k : null;
        if (record.value() == null) {
            TableId table = tableFromTopic(record);
            return new ChangeEvent(Operation.TOMBSTONE, table, key, null, null, null, 0L, null, table, null);
        }
        if (!(record.value() instanceof Struct value)) {
            throw new DataException(describe(record) + ": expected a Debezium change event (a Struct value), got "
                    + record.value().getClass().getName());
        }
        EnvelopeFields fields = EnvelopeFields.of(value.schema());
        return fields.isEnvelope() ? fromEnvelope(record, key, value, fields) : fromFlattened(record, key, value);
    }

    private static ChangeEvent fromEnvelope(ConnectRecord<?> record, Struct key, Struct value, EnvelopeFields fields) {
        Operation op = Operation.fromCode((String) value.get(fields.op));
        Struct source = (Struct) value.get(fields.source);
        if (source == null) {
            throw new DataException(describe(record) + ": the envelope has no source block");
        }
        SourceFields sourceFields = SourceFields.of(source.schema());
        Object schemaName = sourceFields.schema == null ? null : source.get(sourceFields.schema);
        Object tableName = sourceFields.table == null ? null : source.get(sourceFields.table);
        if (schemaName == null || tableName == null) {
            throw new DataException(describe(record) + ": " + (schemaName == null ? "source.schema" : "source.table")
                    + " is missing");
        }
        Long lsn = sourceFields.lsn == null ? null : (Long) source.get(sourceFields.lsn);
        if (lsn == null && op == Operation.READ && sourceFields.snapshot != null
                && "incremental".equals(source.get(sourceFields.snapshot))) {
            lsn = INCREMENTAL_SNAPSHOT_LSN;
        }
        if (lsn == null) {
            throw new DataException(describe(record) + ": source.lsn is missing; only Debezium Postgres records "
                    + "carry the LSN that the change version comes from");
        }
        Long txId = sourceFields.txId == null ? null : (Long) source.get(sourceFields.txId);
        Object snapshot = sourceFields.snapshot == null ? null : source.get(sourceFields.snapshot);
        TableId table = new TableId((String) schemaName, (String) tableName);
        return new ChangeEvent(op, table, key,
                (Struct) value.get(fields.after), fields.before == null ? null : (Struct) value.get(fields.before),
                commitTime(source, sourceFields), lsn, txId, table, snapshot == null ? null : snapshot.toString());
    }

    /**
     * The fields of an envelope schema, looked up once per schema: every record of a table shares its schema
     * object, and looking fields up by name for every record is a large part of a sink's per-record cost.
     */
    private record EnvelopeFields(Schema schema, Field op, Field source, Field after, Field before) {
        private static final Map<Identity, EnvelopeFields> CACHE = new ConcurrentHashMap<>();
        private static volatile EnvelopeFields last;

        static EnvelopeFields of(Schema schema) {
            EnvelopeFields known = last;
            if (known != null && known.schema == schema) {
                return known;
            }
            known = cached(CACHE, schema, s -> new EnvelopeFields(s, s.field("op"), s.field("source"), s.field("after"),
                    s.field("before")));
            last = known;
            return known;
        }

        boolean isEnvelope() {
            return op != null && source != null && after != null;
        }
    }

    /** The fields of Debezium's source block, looked up once per schema. */
    private record SourceFields(Schema of, Field schema, Field table, Field lsn, Field txId, Field tsUs, Field tsMs,
            Field snapshot) {
        private static final Map<Identity, SourceFields> CACHE = new ConcurrentHashMap<>();
        private static volatile SourceFields last;

        static SourceFields of(Schema schema) {
            SourceFields known = last;
            if (known != null && known.of == schema) {
                return known;
            }
            known = cached(CACHE, schema, s -> new SourceFields(s, s.field("schema"), s.field("table"), s.field("lsn"),
                    s.field("txId"), s.field("ts_us"), s.field("ts_ms"), s.field("snapshot")));
            last = known;
            return known;
        }
    }

    private static <T> T cached(Map<Identity, T> cache, Schema schema, Function<Schema, T> make) {
        if (cache.size() > 10_000) {
            cache.clear(); // schemas are few; this only guards against a source that makes a new one per record
        }
        return cache.computeIfAbsent(new Identity(schema), id -> make.apply(schema));
    }

    /** A schema compared by identity: Connect's Schema.equals and hashCode walk the whole schema. */
    private record Identity(Schema schema) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Identity id && id.schema == schema;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema);
        }
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
                lsnNumber.longValue(), txId, table, null);
    }

    private static Instant commitTime(Struct source, SourceFields fields) {
        Object micros = fields.tsUs == null ? null : source.get(fields.tsUs);
        if (micros instanceof Long us) {
            return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1_000L);
        }
        Object ms = fields.tsMs == null ? null : source.get(fields.tsMs);
        return ms instanceof Long millis ? Instant.ofEpochMilli(millis) : null;
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

    /** How errors name a record: topic, partition and, for sink records, offset. */
    public static String describe(ConnectRecord<?> record) {
        String where = "record " + record.topic() + "-" + record.kafkaPartition();
        return record instanceof SinkRecord sink ? where + "@" + sink.kafkaOffset() : where;
    }

    public Operation operation() {
        return operation;
    }

    /** The table this change goes to: its source table, or the target a router set (see {@link RouteHeaders}). */
    public TableId table() {
        return table;
    }

    /** The Postgres table the change was made in, whatever target a router chose for it. */
    public TableId sourceTable() {
        return sourceTable;
    }

    /**
     * Debezium's {@code source.snapshot} of a read: {@code first}, {@code first_in_data_collection}, {@code true},
     * {@code last_in_data_collection}, {@code last} for a blocking snapshot, {@code incremental} for an incremental
     * one; {@code false} or null (a flattened record, which does not carry it) otherwise.
     */
    public String snapshotMarker() {
        return snapshotMarker;
    }

    /** Whether this read is the last one of its table in a blocking (initial) snapshot. */
    public boolean isLastSnapshotReadOfTable() {
        return operation == Operation.READ && ("last_in_data_collection".equals(snapshotMarker)
                || "last".equals(snapshotMarker));
    }

    /** Whether this is a read of a blocking (initial) snapshot, as far as the record tells. */
    public boolean isBlockingSnapshotRead() {
        return operation == Operation.READ && !isIncrementalSnapshotRead();
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

    /** The WAL position of this change (for a snapshot read, of the snapshot); 0 for tombstones and incremental reads. */
    public long lsn() {
        return lsn;
    }

    /**
     * Whether this is a read of an incremental snapshot: marked {@code incremental}, or (flattened records carry no
     * marker) a read at LSN 0, which no blocking snapshot has.
     */
    public boolean isIncrementalSnapshotRead() {
        return operation == Operation.READ && ("incremental".equals(snapshotMarker) || lsn == INCREMENTAL_SNAPSHOT_LSN);
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
