package io.cdcpipeline.sink.elasticsearch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    /**
     * The body as a stream that fills each read across parts: the HTTP client sends what one read returns as one
     * chunk, and a read that stopped at each ~100-byte action line would send many small ones (at 0.6 of the rate
     * of whole 4 KB chunks in the sink benchmark).
     */
    @Override
    public InputStream getContent() {
        return new InputStream() {
            private int part;
            private int at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) {
                int copied = 0;
                while (copied < length && part < parts.size()) {
                    byte[] current = parts.get(part);
                    int n = Math.min(length - copied, current.length - at);
                    System.arraycopy(current, at, into, offset + copied, n);
                    copied += n;
                    at += n;
                    if (at == current.length) {
                        part++;
                        at = 0;
                    }
                }
                return copied == 0 && length > 0 ? -1 : copied;
            }
        };
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
