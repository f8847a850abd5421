package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonGenerator;
import io.cdcpipeline.core.sink.BufferedWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One versioned index or delete of a document, with the record it came from (for the dead-letter queue) and its
 * source commit time (for the index's watermark).
 *
 * @param source the document as JSON, or null for a delete
 */
record DocumentAction(SinkRecord record, String alias, String id, long version, byte[] source, long sourceTsMs)
        implements BufferedWrite {

    /** The index or alias written. */
    @Override
    public String target() {
        return alias;
    }

    /** The document's id. */
    @Override
    public Object key() {
        return id;
    }


    boolean isDelete() {
        return source == null;
    }

    /** The same write to another index (the one a rebuild fills). */
    DocumentAction to(String index) {
        return new DocumentAction(record, index, id, version, source, sourceTsMs);
    }

    /** Roughly what the action adds to a _bulk body. */
    @Override
    public long bytes() {
        return 96 + alias.length() + id.length() + (source == null ? 0 : source.length);
    }

    /** The action's line of a {@code _bulk} body (NDJSON), newline included; the document follows it if any. */
    byte[] header() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + alias.length() + id.length());
        try (JsonGenerator header = Json.MAPPER.getFactory().createGenerator(out)) {
            header.writeStartObject();
            header.writeObjectFieldStart(source == null ? "delete" : "index");
            header.writeStringField("_index", alias);
            header.writeStringField("_id", id);
            header.writeNumberField("version", version);
            header.writeStringField("version_type", "external");
            header.writeEndObject();
            header.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }
}
