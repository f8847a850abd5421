package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Digests;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.sink.ToastPlaceholder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * The writes of a change to a table without a primary key. With no key, a row's document is identified by its content:
 * the id is the hash of the document's JSON, so a replay writes the same document again (its external version keeps
 * it from doubling) and a delete, which under REPLICA IDENTITY FULL carries the whole old row, finds it. Rows equal in
 * every column are one document.
 */
final class KeylessDocuments {

    /** A versioned write of one document: an index of {@code source}, or a delete when it is null. */
    record Write(String id, byte[] source) {
    }

    private KeylessDocuments() {
    }

    /**
     * An insert or read indexes the new row; a delete deletes the old row's document; an update does both (unless
     * the row is unchanged). The old row is only known under REPLICA IDENTITY FULL: without it {@code withoutOldRow}
     * is told and only the new row is written. Unchanged-TOAST values of the new row come from the old one.
     *
     * @param document a row's document, as the sink writes it
     * @throws DataException when the new row holds unchanged-TOAST placeholders and no old row gives their values
     */
    static List<Write> actions(ChangeEvent event, ToastPlaceholder placeholder,
            Function<Struct, Map<String, Object>> document, Runnable withoutOldRow) {
        Struct before = event.before();
        boolean oldRowKnown = before != null && !holdsPlaceholders(event, before, placeholder);
        List<Write> writes = new ArrayList<>(2);
        if (event.isDelete() || event.operation() == Operation.UPDATE) {
            if (oldRowKnown) {
                writes.add(new Write(id(json(document.apply(before))), null));
            } else {
                withoutOldRow.run();
            }
        }
        if (!event.isDelete()) {
            byte[] source = json(document.apply(filled(event, placeholder, oldRowKnown ? before : null)));
            String id = id(source);
            writes.removeIf(w -> w.id().equals(id)); // an update that changed nothing: the document stays
            writes.add(new Write(id, source));
        }
        return writes;
    }

    private static boolean holdsPlaceholders(ChangeEvent event, Struct row, ToastPlaceholder placeholder) {
        for (Field field : event.columns()) {
            if (placeholder.matches(row.getWithoutDefault(field.name()))) {
                return true;
            }
        }
        return false;
    }

    /** The new row with its unchanged-TOAST values taken from the old one. */
    private static Struct filled(ChangeEvent event, ToastPlaceholder placeholder, Struct old) {
        Struct after = event.after();
        if (!holdsPlaceholders(event, after, placeholder)) {
            return after;
        }
        if (old == null) {
            throw new DataException("a column holds Debezium's unchanged-TOAST placeholder and " + event.table()
                    + " has no primary key, so the row is known by its content alone; set REPLICA IDENTITY FULL on it "
                    + "(ALTER TABLE " + event.table() + " REPLICA IDENTITY FULL) so that updates carry every column");
        }
        Struct filled = new Struct(after.schema());
        for (Field field : after.schema().fields()) {
            Object value = after.getWithoutDefault(field.name());
            filled.put(field, placeholder.matches(value) ? old.getWithoutDefault(field.name()) : value);
        }
        return filled;
    }

    private static byte[] json(Map<String, Object> document) {
        try {
            return Json.MAPPER.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new DataException("cannot write the document as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String id(byte[] source) {
        return String.format("%016x", Digests.md5Prefix(source));
    }
}
