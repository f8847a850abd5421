package io.cdcpipeline.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.core.TableId;
import org.junit.jupiter.api.Test;

/** The signal's data is JSON Debezium reads back exactly, whatever the filter holds. */
class SignalTableTest {

    @Test
    void aFilterWithQuotesBackslashesAndNewlinesComesBackExactly() throws Exception {
        String filter = "note = 'say \"hi\"' AND path LIKE 'C:\\\\tmp%'\n  AND id IN (1,\t2)";
        JsonNode data = new ObjectMapper().readTree(SignalTable.data(new TableId("sales", "Order \"Lines\""), filter));
        assertThat(data.path("data-collections").get(0).asText()).isEqualTo("sales.Order \"Lines\"");
        assertThat(data.path("type").asText()).isEqualTo("incremental");
        assertThat(data.path("additional-conditions").get(0).path("filter").asText()).isEqualTo(filter);
        assertThat(data.path("additional-conditions").get(0).path("data-collection").asText())
                .isEqualTo("sales.Order \"Lines\"");
    }

    @Test
    void withoutAFilterTheWholeTable() throws Exception {
        JsonNode data = new ObjectMapper().readTree(SignalTable.data(new TableId("public", "t"), null));
        assertThat(data.has("additional-conditions")).isFalse();
        assertThat(data.path("data-collections")).hasSize(1);
    }
}
