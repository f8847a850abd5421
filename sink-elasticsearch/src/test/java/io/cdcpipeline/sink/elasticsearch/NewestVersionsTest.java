package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which writes of a buffer are sent: one per document, the newest version, whatever order they came in. */
class NewestVersionsTest {

    @Test
    void onlyTheNewestVersionOfEachDocumentIsSent() {
        DocumentAction a1 = action("orders", "1", 10);
        DocumentAction b1 = action("orders", "2", 11);
        DocumentAction a2 = action("orders", "1", 30);
        DocumentAction a0 = action("orders", "1", 20); // older than a2, delivered after it (a replay)
        DocumentAction otherIndex = action("orders_v2", "1", 5); // a rebuild's copy is another document
        DocumentAction delete = new DocumentAction(null, "orders", "2", 12, null, 0);

        assertThat(NewestVersions.of(List.of(a1, b1, a2, a0, otherIndex, delete)))
                .containsExactly(a2, otherIndex, delete);
    }

    @Test
    void aBufferWithoutRepeatsIsSentAsItIs() {
        List<DocumentAction> actions = List.of(action("orders", "1", 1), action("orders", "2", 2));
        assertThat(NewestVersions.of(actions)).isSameAs(actions);
    }

    private static DocumentAction action(String alias, String id, long version) {
        return new DocumentAction(null, alias, id, version, new byte[] {'{', '}'}, 0);
    }
}
