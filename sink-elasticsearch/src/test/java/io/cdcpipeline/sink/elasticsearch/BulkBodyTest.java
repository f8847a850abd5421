package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The _bulk body read from its actions: NDJSON lines, its exact length, the same bytes each time it is read. */
class BulkBodyTest {

    private final List<DocumentAction> actions = List.of(
            new DocumentAction(null, "shop_orders", "1", 7, "{\"id\":1}".getBytes(StandardCharsets.UTF_8), 0),
            new DocumentAction(null, "shop_orders", "2", 8, null, 0));

    private static final String EXPECTED = """
            {"index":{"_index":"shop_orders","_id":"1","version":7,"version_type":"external"}}
            {"id":1}
            {"delete":{"_index":"shop_orders","_id":"2","version":8,"version_type":"external"}}
            """;

    @Test
    void readsAsNdjsonOfTheActionsWithItsExactLengthAndCanBeReadAgain() throws Exception {
        BulkBody body = new BulkBody(actions);
        assertThat(new String(body.getContent().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
        assertThat(new String(body.getContent().readAllBytes(), StandardCharsets.UTF_8)).as("read again").isEqualTo(EXPECTED);
        assertThat(body.getContentLength()).isEqualTo(EXPECTED.getBytes(StandardCharsets.UTF_8).length);
        assertThat(body.isRepeatable()).isTrue();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        body.writeTo(written);
        assertThat(written.toString(StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
        assertThat(body.getContentType().getValue()).startsWith("application/x-ndjson");
    }

    @Test
    void aReadFillsItsBufferAcrossActionsAsTheClientSendsEachReadAsOneChunk() throws Exception {
        InputStream in = new BulkBody(actions).getContent();
        byte[] buffer = new byte[4096];
        int first = in.read(buffer, 0, buffer.length);
        assertThat(first).as("the whole body in one read").isEqualTo(EXPECTED.getBytes(StandardCharsets.UTF_8).length);
        assertThat(new String(buffer, 0, first, StandardCharsets.UTF_8)).isEqualTo(EXPECTED);
        assertThat(in.read(buffer, 0, buffer.length)).isEqualTo(-1);
        in = new BulkBody(actions).getContent();
        assertThat(in.read(buffer, 0, 10)).isEqualTo(10);
        assertThat((char) in.read()).isEqualTo(EXPECTED.charAt(10));
    }
}
