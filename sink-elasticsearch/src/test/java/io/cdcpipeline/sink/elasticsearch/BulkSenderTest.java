package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/**
 * Every outcome class of a {@code _bulk} answer, against a scripted transport: what is applied, skipped as stale,
 * retried, dead-lettered with the reason, left over to be buffered again, or stops the sink as an infrastructure
 * error. The same paths run against real nodes in the integration tests (429 storm, blocks, 413 node).
 */
class BulkSenderTest {

    private static final RetryBackoff NO_WAIT = new RetryBackoff(3, 0, 0);

    /** Answers each request with the next script step and records what each request held. */
    private static class ScriptedTransport implements BulkTransport {
        interface Step {
            List<Item> answer(List<DocumentAction> actions) throws IOException, RequestRefused;
        }

        final Deque<Step> steps = new ArrayDeque<>();
        final List<List<String>> requests = new ArrayList<>();

        ScriptedTransport then(Step step) {
            steps.add(step);
            return this;
        }

        @Override
        public List<Item> send(List<DocumentAction> actions) throws IOException, RequestRefused {
            requests.add(actions.stream().map(DocumentAction::id).toList());
            Step step = steps.isEmpty() ? BulkSenderTest::allOk : steps.poll();
            return step.answer(actions);
        }
    }

    private static List<Item> allOk(List<DocumentAction> actions) {
        return actions.stream().map(a -> new Item(201, a.alias(), null, null)).toList();
    }

    private final Metrics metrics = new Metrics();

    private BulkSender sender(BulkTransport transport) {
        return new BulkSender(transport, NO_WAIT,
                new ElasticsearchSinkMetrics(new PluginMetricsImpl(metrics, Map.of("connector", "t"))));
    }

    private static List<DocumentAction> actions(int n) {
        return IntStream.range(0, n).mapToObj(i -> new DocumentAction(null, "shop_orders", "id" + i, 10 + i,
                ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), 0)).toList();
    }

    @Test
    void successesAreAppliedAndAConflictIsAStaleReplayNotAnError() {
        ScriptedTransport transport = new ScriptedTransport().then(a -> List.of(new Item(201, "shop_orders", null,
                null), new Item(409, "shop_orders", "version_conflict_engine_exception", "newer version held"),
                new Item(404, "shop_orders", null, null)));

        BulkSender.Outcome outcome = sender(transport).send(actions(3));

        assertThat(outcome.applied()).extracting(DocumentAction::id).containsExactly("id0", "id2");
        assertThat(outcome.stale()).isEqualTo(1);
        assertThat(outcome.refused()).isEmpty();
        assertThat(outcome.leftOver()).isEmpty();
        assertThat(transport.requests).hasSize(1);
    }

    @Test
    void rejectedOverloadedAndBlockedItemsAreRetriedAloneUntilTheyLand() {
        ScriptedTransport transport = new ScriptedTransport()
                .then(a -> List.of(new Item(201, "i", null, null), new Item(429, "i", "es_rejected_execution_exception",
                        "queue full"), new Item(503, "i", "unavailable_shards_exception", "primary not active"),
                        new Item(403, "i", "cluster_block_exception", "index [i] blocked by: [FORBIDDEN/8/index write"
                                + " (api)]")))
                .then(a -> List.of(new Item(201, "i", null, null), new Item(429, "i", "es_rejected_execution_exception",
                        "queue full"), new Item(201, "i", null, null)))
                .then(BulkSenderTest::allOk);

        BulkSender.Outcome outcome = sender(transport).send(actions(4));

        assertThat(outcome.applied()).extracting(DocumentAction::id).containsExactlyInAnyOrder("id0", "id1", "id2",
                "id3");
        assertThat(outcome.retries()).isEqualTo(2);
        assertThat(transport.requests).containsExactly(List.of("id0", "id1", "id2", "id3"), List.of("id1", "id2",
                "id3"), List.of("id2"));
        assertThat(metrics.metrics().entrySet().stream().filter(e -> e.getKey().name().equals("retries-total"))
                .map(e -> (Double) e.getValue().metricValue()).findFirst()).contains(2.0);
    }

    @Test
    void whatStillFailsAfterTheLastAttemptIsLeftOverToBeBufferedAgainNotLost() {
        ScriptedTransport transport = new ScriptedTransport();
        for (int i = 0; i < 3; i++) {
            transport.then(a -> {
                throw new IOException("Connection refused");
            });
        }

        BulkSender.Outcome outcome = sender(transport).send(actions(2));

        assertThat(outcome.leftOver()).extracting(DocumentAction::id).containsExactly("id0", "id1");
        assertThat(outcome.applied()).isEmpty();
        assertThat(outcome.refused()).isEmpty();
        assertThat(transport.requests).hasSize(3);
    }

    @Test
    void aDocumentElasticsearchRefusesIsDeadLetteredWithItsReason() {
        ScriptedTransport transport = new ScriptedTransport().then(a -> List.of(new Item(201, "i", null, null),
                new Item(400, "shop_orders_v1", "document_parsing_exception", "failed to parse field [total]")));

        BulkSender.Outcome outcome = sender(transport).send(actions(2));

        assertThat(outcome.applied()).extracting(DocumentAction::id).containsExactly("id0");
        assertThat(outcome.refused()).singleElement().satisfies(r -> {
            assertThat(r.action().id()).isEqualTo("id1");
            assertThat(r.reason().getMessage()).isEqualTo("document id1: Elasticsearch refused it in index "
                    + "shop_orders_v1 with 400 document_parsing_exception: failed to parse field [total]");
        });
        assertThat(transport.requests).as("a refusal is not retried").hasSize(1);
    }

    @Test
    void aWholeRequestRefusedAsTooLargeIsSplitUntilTheDocumentAtFaultIsAlone() {
        ScriptedTransport transport = new ScriptedTransport() {
            @Override
            public List<Item> send(List<DocumentAction> actions) throws IOException, RequestRefused {
                requests.add(actions.stream().map(DocumentAction::id).toList());
                if (actions.stream().anyMatch(a -> a.id().equals("id2"))) {
                    throw new RequestRefused(413, "method [POST], host [http://es:9200], URI [/_bulk], status line "
                            + "[HTTP/1.1 413 Request Entity Too Large]\n{}", null);
                }
                return allOk(actions);
            }
        };

        BulkSender.Outcome outcome = sender(transport).send(actions(4));

        assertThat(outcome.applied()).extracting(DocumentAction::id).containsExactlyInAnyOrder("id0", "id1", "id3");
        assertThat(outcome.refused()).singleElement().satisfies(r -> assertThat(r.reason().getMessage())
                .startsWith("document id2: the _bulk request of this document alone for index shop_orders failed "
                        + "with 413, larger than Elasticsearch takes in one request (its http.max_content_length)")
                .doesNotContain("\n{}"));
        assertThat(transport.requests).containsExactly(List.of("id0", "id1", "id2", "id3"), List.of("id0", "id1"),
                List.of("id2", "id3"), List.of("id2"), List.of("id3"));
    }

    @Test
    void aRefusedAccountStopsTheSinkInsteadOfDeadLetteringAnything() {
        assertThatThrownBy(() -> sender(new ScriptedTransport().then(a -> {
            throw new BulkTransport.RequestRefused(401, "missing authentication credentials", null);
        })).send(actions(2))).isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("(401)").hasMessageContaining(BulkSender.ACCESS_FIX);

        assertThatThrownBy(() -> sender(new ScriptedTransport().then(a -> List.of(new Item(201, "i", null, null),
                new Item(403, "shop_orders_v1", "security_exception", "action [indices:data/write/bulk[s]] is "
                        + "unauthorized")))).send(actions(2))).isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("refused to write to index shop_orders_v1 for the sink's account (403 "
                        + "security_exception");
    }

    @Test
    void anAnswerWithTheWrongNumberOfItemsFailsLoudly() {
        assertThatThrownBy(() -> sender(new ScriptedTransport().then(a -> List.of(new Item(201, "i", null, null))))
                .send(actions(2))).isInstanceOf(ConnectException.class)
                .hasMessage("Elasticsearch answered 1 items to a _bulk request of 2");
    }
}
