package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemTest {

    @Test
    void readsEveryItemOfABulkAnswerWithItsStatusAndError() throws Exception {
        String answer = """
                {"took":3,"errors":true,"items":[
                 {"index":{"_index":"a_v1","_id":"1","_version":7,"result":"created","status":201}},
                 {"delete":{"_index":"a_v1","_id":"2","_version":9,"result":"not_found","status":404}},
                 {"index":{"_index":"a_v1","_id":"3","status":409,"error":{"type":"version_conflict_engine_exception",
                   "reason":"[3]: version conflict","index":"a_v1"}}},
                 {"index":{"_index":"a_v1","_id":"4","status":400,"error":{"type":"document_parsing_exception",
                   "reason":"failed to parse","caused_by":{"type":"x","reason":"y"}}}}]}
                """;
        List<Item> items = Item.read(new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8)));
        assertThat(items).containsExactly(
                new Item(201, "a_v1", null, null),
                new Item(404, "a_v1", null, null),
                new Item(409, "a_v1", "version_conflict_engine_exception", "[3]: version conflict"),
                new Item(400, "a_v1", "document_parsing_exception", "failed to parse"));
    }
}
