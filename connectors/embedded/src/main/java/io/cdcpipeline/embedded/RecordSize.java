package io.cdcpipeline.embedded;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * A record's size as the runner counts it against {@link RunnerConfig#SINK_BUFFER_MAX_BYTES}: roughly what it takes
 * on the heap (a 64-bit JVM with compressed references), so that buffers bounded in bytes bound the heap. Counting
 * only the bytes of text and binary values left out the objects that hold them, several times as much for rows of
 * short values: a 1M-row snapshot ran a 512 MB runner out of memory with buffers "64 MB" full. Cheap enough for
 * every record: no reflection, fields read by position.
 */
final class RecordSize {

    /** The record objects themselves (source and sink record, headers, topic), whatever they hold. */
    private static final long RECORD = 240;
    private static final long OBJECT = 16;
    private static final long REFERENCE = 4;

    private RecordSize() {
    }

    static long of(SinkRecord record) {
        return RECORD + of(record.key()) + of(record.value());
    }

    static long of(Iterable<SinkRecord> records) {
        long total = 0;
        for (SinkRecord record : records) {
            total += of(record);
        }
        return total;
    }

    private static long of(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof String text) {
            return OBJECT + 8 + OBJECT + text.length(); // the String and its byte array (Latin-1, or 2 per char)
        }
        if (value instanceof byte[] bytes) {
            return OBJECT + bytes.length;
        }
        if (value instanceof ByteBuffer buffer) {
            return 3 * OBJECT + buffer.remaining();
        }
        if (value instanceof Struct struct) {
            // The Struct and its value array, then each value. By position: a lookup by name hashes the name for
            // every field of every record (the profile of a backlog catch-up had it at 7 % of the runner's CPU).
            List<Field> fields = struct.schema().fields();
            long total = 2 * OBJECT + REFERENCE * fields.size();
            for (int i = 0, n = fields.size(); i < n; i++) {
                total += of(struct.get(fields.get(i)));
            }
            return total;
        }
        if (value instanceof Collection<?> items) {
            long total = 2 * OBJECT + REFERENCE * items.size();
            for (Object item : items) {
                total += of(item);
            }
            return total;
        }
        if (value instanceof Map<?, ?> map) {
            long total = 2 * OBJECT + 2 * OBJECT * map.size(); // the table and an entry per key
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                total += of(entry.getKey()) + of(entry.getValue());
            }
            return total;
        }
        return OBJECT + 8; // a boxed number, a boolean, a BigDecimal's small parts
    }
}
