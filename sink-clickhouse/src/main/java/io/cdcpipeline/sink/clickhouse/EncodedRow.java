package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.BufferedWrite;
import io.cdcpipeline.sink.clickhouse.types.RowBinaryOutput;
import java.util.Arrays;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One change as a {@code RowBinary} row of its {@link RowLayout}, kept with its record so the row can be dead-lettered
 * alone, and with where each source column's value starts so an unchanged-TOAST value can be filled in later.
 */
final class EncodedRow implements BufferedWrite {

    private final SinkRecord record;
    private final RowLayout layout;
    private byte[] data;
    private final int[] cellStarts; // fields.size() + 1 entries; the CDC columns follow the last one
    private ByteKey key; // made on first use: only unchanged-TOAST handling needs it
    private final int[] holes;
    private final long sourceTsMs;

    EncodedRow(SinkRecord record, RowLayout layout, byte[] data, int[] cellStarts, int[] holes, long sourceTsMs) {
        this(record, layout, data, cellStarts, holes, sourceTsMs, null);
    }

    /** A row with its key given: a keyless table's row is keyed by its content hash, not by key columns. */
    EncodedRow(SinkRecord record, RowLayout layout, byte[] data, int[] cellStarts, int[] holes, long sourceTsMs,
            ByteKey key) {
        this.key = key;
        this.record = record;
        this.layout = layout;
        this.data = data;
        this.cellStarts = cellStarts;
        this.holes = holes;
        this.sourceTsMs = sourceTsMs;
    }

    @Override
    public SinkRecord record() {
        return record;
    }

    RowLayout layout() {
        return layout;
    }

    byte[] data() {
        return data;
    }

    /** The table the row goes to. */
    @Override
    public String target() {
        return layout.table();
    }

    @Override
    public long bytes() {
        return data.length;
    }

    /** The encoded key columns, in layout order. */
    @Override
    public ByteKey key() {
        if (key == null) {
            RowBinaryOutput out = new RowBinaryOutput(32);
            for (int field = 0; field < cellStarts.length - 1; field++) {
                if (layout.isKey(field)) {
                    out.writeBytes(data, cellStarts[field], cellStarts[field + 1] - cellStarts[field]);
                }
            }
            key = new ByteKey(out.toByteArray());
        }
        return key;
    }

    @Override
    public long sourceTsMs() {
        return sourceTsMs;
    }

    /** Field indexes whose value is Debezium's unchanged-TOAST placeholder and still has to be filled in. */
    int[] holes() {
        return holes;
    }

    boolean hasHoles() {
        return holes.length > 0;
    }

    /** The encoded value of a field, or null for a hole. */
    byte[] cell(int field) {
        for (int hole : holes) {
            if (hole == field) {
                return null;
            }
        }
        return Arrays.copyOfRange(data, cellStarts[field], cellStarts[field + 1]);
    }

    /** The encoded value of a column by name, or null if this row has no such column or it is a hole. */
    byte[] cell(String column) {
        int field = layout.indexOf(column);
        return field < 0 ? null : cell(field);
    }

    /** A copy of this row with every hole filled from {@code values} (one encoded value per hole, in order). */
    EncodedRow filled(byte[][] values) {
        RowBinaryOutput out = new RowBinaryOutput(data.length + 64);
        int[] starts = new int[cellStarts.length];
        int next = 0;
        for (int field = 0; field < cellStarts.length - 1; field++) {
            starts[field] = out.size();
            if (next < holes.length && holes[next] == field) {
                out.writeBytes(values[next++]);
            } else {
                out.writeBytes(data, cellStarts[field], cellStarts[field + 1] - cellStarts[field]);
            }
        }
        starts[cellStarts.length - 1] = out.size();
        int tail = cellStarts[cellStarts.length - 1];
        out.writeBytes(data, tail, data.length - tail);
        return new EncodedRow(record, layout, out.toByteArray(), starts, new int[0], sourceTsMs);
    }
}
