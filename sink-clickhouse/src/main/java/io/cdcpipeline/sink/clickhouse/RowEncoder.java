package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Digests;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import io.cdcpipeline.core.types.RowJson;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.RowBinaryOutput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Encodes a change event as a {@code RowBinary} row of its layout: a row for inserts, updates and snapshot reads,
 * a delete marker (the key, every other column missing, the deleted flag set) for deletes. Values that are
 * Debezium's unchanged-TOAST placeholder are left as holes for the {@link ToastResolver}; they never reach a row.
 */
final class RowEncoder {

    private final ToastPlaceholder placeholder;
    private final OutOfRangeValues outOfRange;
    private final RowBinaryOutput out = new RowBinaryOutput(1024);

    RowEncoder(ToastPlaceholder placeholder, OutOfRangeValues outOfRange) {
        this.placeholder = placeholder;
        this.outOfRange = outOfRange;
    }

    EncodedRow encode(ChangeEvent event, RowLayout layout, SinkRecord record) {
        out.reset();
        boolean delete = event.isDelete();
        Struct state = delete ? event.key() : event.after();
        int fieldCount = layout.fields().size();
        int[] starts = new int[fieldCount + 1];
        int[] holes = new int[0];
        for (int i = 0; i < fieldCount; i++) {
            Field field = layout.fields().get(i);
            starts[i] = out.size();
            if (delete && !layout.isKey(i)) {
                layout.type(i).writeMissing(out);
                continue;
            }
            Object raw = state.getWithoutDefault(field.name());
            if (!delete && layout.mayHoldPlaceholder(i) && placeholder.matches(raw)) {
                holes = Arrays.copyOf(holes, holes.length + 1);
                holes[holes.length - 1] = i;
                continue;
            }
            writeCell(layout, i, raw, event);
        }
        starts[fieldCount] = out.size();
        writeCdcColumns(event, layout, delete);
        writeHistoryColumns(event, layout);
        Instant committed = event.sourceCommitTime();
        return new EncodedRow(record, layout, out.toByteArray(), starts, holes,
                committed == null ? 0 : committed.toEpochMilli());
    }

    /**
     * The rows of a change to a table without a primary key, each keyed by its content: an insert or read writes the
     * new row; a delete, a delete marker of the old row; an update, both (the old row's marker first). The old row is
     * only known under REPLICA IDENTITY FULL: without it a delete writes nothing and an update only its new row, and
     * {@code withoutOldRow} is told. Unchanged-TOAST values of the new row are taken from the old one.
     *
     * @throws DataException when the new row holds unchanged-TOAST placeholders and no old row gives their values
     */
    List<EncodedRow> encodeKeyless(ChangeEvent event, RowLayout layout, SinkRecord record, Runnable withoutOldRow) {
        Struct before = event.before();
        boolean oldRowKnown = before != null && !holdsPlaceholders(layout, before);
        List<EncodedRow> rows = new ArrayList<>(2);
        if (event.isDelete() || event.operation() == Operation.UPDATE) {
            if (oldRowKnown) {
                rows.add(contentRow(event, layout, record, before, null, true));
            } else {
                withoutOldRow.run();
            }
        }
        if (!event.isDelete()) {
            EncodedRow row = contentRow(event, layout, record, event.after(), oldRowKnown ? before : null, false);
            rows.removeIf(marker -> marker.key().equals(row.key())); // an update that changed nothing: the row stays
            rows.add(row);
        }
        return rows;
    }

    private boolean holdsPlaceholders(RowLayout layout, Struct row) {
        for (int i = 0; i < layout.fields().size(); i++) {
            if (layout.mayHoldPlaceholder(i) && placeholder.matches(row.get(layout.fields().get(i).name()))) {
                return true;
            }
        }
        return false;
    }

    private EncodedRow contentRow(ChangeEvent event, RowLayout layout, SinkRecord record, Struct state, Struct old,
            boolean deleted) {
        out.reset();
        int fieldCount = layout.fields().size();
        int[] starts = new int[fieldCount + 1];
        for (int i = 0; i < fieldCount; i++) {
            Field field = layout.fields().get(i);
            starts[i] = out.size();
            Object raw = state.getWithoutDefault(field.name());
            if (layout.mayHoldPlaceholder(i) && placeholder.matches(raw)) {
                if (old == null) {
                    throw new DataException("column " + field.name() + " holds Debezium's unchanged-TOAST placeholder "
                            + "and " + event.table() + " has no primary key, so the row is known by its content alone; "
                            + "set REPLICA IDENTITY FULL on it (ALTER TABLE " + event.table() + " REPLICA IDENTITY FULL) "
                            + "so that updates carry every column");
                }
                raw = old.getWithoutDefault(field.name());
            }
            writeCell(layout, i, raw, event);
        }
        starts[fieldCount] = out.size();
        // Equal RowBinary bytes mean equal values (strings length-prefixed, NULL flagged): the content's key.
        long rowKey = Digests.md5Prefix(out.toByteArray());
        writeCdcColumns(event, layout, deleted);
        out.writeLong(rowKey);
        writeHistoryColumns(event, layout);
        Instant committed = event.sourceCommitTime();
        return new EncodedRow(record, layout, out.toByteArray(), starts, new int[0],
                committed == null ? 0 : committed.toEpochMilli(), new ByteKey(longBytes(rowKey)));
    }

    private void writeCell(RowLayout layout, int i, Object raw, ChangeEvent event) {
        Field field = layout.fields().get(i);
        ClickHouseType type = layout.type(i);
        Object value = layout.javaValue(i, raw);
        Object stored = type.nearest(value);
        if (stored != value) { // under the strict policy this throws: the record is dead-lettered
            outOfRange.met(ClickHouseSinkMetrics.target(layout.table()), field.name(), value, stored, type.held(),
                    () -> String.valueOf(event.key() != null ? event.key() : event.after()));
        }
        try {
            type.write(stored, out);
        } catch (RuntimeException e) {
            throw new DataException("column " + field.name() + " (" + type.sql() + "): " + e.getMessage(), e);
        }
    }

    private void writeCdcColumns(ChangeEvent event, RowLayout layout, boolean deleted) {
        out.writeLong(event.changeVersion());
        out.writeByte(deleted ? 1 : 0);
        layout.sourceTsType().write(event.sourceCommitTime(), out);
    }

    /** After the row key of a keyless table: the order of {@link RowLayout#insertColumns()}. */
    private void writeHistoryColumns(ChangeEvent event, RowLayout layout) {
        if (!layout.history()) {
            return;
        }
        out.writeByte(switch (event.operation()) { // the values of CdcColumns.OP_TYPE
            case READ -> 1;
            case CREATE -> 2;
            case UPDATE -> 3;
            case DELETE -> 4;
            default -> throw new DataException("a " + event.operation() + " change holds no row for the history");
        });
        Long txId = event.transactionId();
        out.writeByte(txId == null ? 1 : 0);
        if (txId != null) {
            out.writeLong(txId);
        }
        Struct before = event.before();
        out.writeByte(before == null ? 1 : 0);
        if (before != null) {
            out.writeString(RowJson.of(before));
        }
    }

    private static byte[] longBytes(long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (56 - 8 * i));
        }
        return bytes;
    }
}
