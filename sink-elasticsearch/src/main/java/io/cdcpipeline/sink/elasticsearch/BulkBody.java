package io.cdcpipeline.sink.elasticsearch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.http.entity.AbstractHttpEntity;
import org.apache.http.entity.ContentType;

/**
 * A {@code _bulk} request body (NDJSON) read straight from its actions: each action's line, then its document as
 * the action holds it. Nothing is copied into one body buffer, which for a batch of large rows (16 MB documents)
 * would take the batch's size again, and twice that while a growing buffer doubles. Repeatable, with its exact
 * length, so the client may send it again.
 */
final class BulkBody extends AbstractHttpEntity {

    private static final byte[] NEWLINE = {'\n'};

    private final List<byte[]> parts;
    private final long length;

    BulkBody(List<DocumentAction> actions) {
        parts = new ArrayList<>(actions.size() * 3);
        long total = 0;
        for (DocumentAction action : actions) {
            byte[] header = action.header();
            parts.add(header);
            total += header.length;
            if (!action.isDelete()) {
                parts.add(action.source());
                parts.add(NEWLINE);
                total += action.source().length + 1;
            }
        }
        length = total;
        setContentType(ContentType.create("application/x-ndjson", StandardCharsets.UTF_8).toString());
    }

    @Override
    public boolean isRepeatable() {
        return true;
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public InputStream getContent() {
        List<InputStream> streams = new ArrayList<>(parts.size());
        parts.forEach(part -> streams.add(new ByteArrayInputStream(part)));
        return new SequenceInputStream(Collections.enumeration(streams));
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        for (byte[] part : parts) {
            out.write(part);
        }
    }

    @Override
    public boolean isStreaming() {
        return false;
    }
}
