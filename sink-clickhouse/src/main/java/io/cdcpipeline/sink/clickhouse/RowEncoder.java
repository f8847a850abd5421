package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.sink.OutOfRangeValues;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.RowBinaryOutput;
import java.time.Instant;
import java.util.Arrays;
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
            Object raw = delete ? state.get(field.name()) : state.get(field);
            if (!delete && layout.mayHoldPlaceholder(i) && placeholder.matches(raw)) {
                holes = Arrays.copyOf(holes, holes.length + 1);
                holes[holes.length - 1] = i;
                continue;
            }
            ClickHouseType type = layout.type(i);
            Object value = layout.javaValue(i, raw);
            Object stored = type.nearest(value);
            if (stored != value) { // under the strict policy this throws: the record is dead-lettered
                outOfRange.met(ClickHouseSinkMetrics.target(layout.table()), field.name(), value, stored, type.held(),
                        () -> String.valueOf(event.key()));
            }
            try {
                type.write(stored, out);
            } catch (RuntimeException e) {
                throw new DataException("column " + field.name() + " (" + layout.type(i).sql() + "): " + e.getMessage(), e);
            }
        }
        starts[fieldCount] = out.size();
        out.writeLong(event.changeVersion());
        out.writeByte(delete ? 1 : 0);
        Instant committed = event.sourceCommitTime();
        layout.sourceTsType().write(committed, out);
        return new EncodedRow(record, layout, out.toByteArray(), starts, holes,
                committed == null ? 0 : committed.toEpochMilli());
    }
}
