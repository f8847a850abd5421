package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.sink.RetryBackoff;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one batch of actions as {@code _bulk} requests and handles every item on its own: a 409 is a write older
 * than what the document holds (a replay) and is skipped; 429 and 5xx items, and whole requests that fail on the
 * network, are retried with backoff and jitter; any other refusal (a mapping or parse error, the field limit) is
 * returned to be dead-lettered with Elasticsearch's reason. What still fails after the last attempt is returned
 * as left over, to be buffered and sent again: backpressure never fails the task.
 */
final class BulkSender {

    private static final Logger LOG = LoggerFactory.getLogger(BulkSender.class);

    /** What became of a batch. */
    record Outcome(List<DocumentAction> applied, int stale, List<Refused> refused, List<DocumentAction> leftOver,
            int retries) {
    }

    record Refused(DocumentAction action, DataException reason) {
    }

    private final ElasticsearchClient client;
    private final RetryBackoff backoff;
    private final ElasticsearchSinkMetrics metrics;

    BulkSender(ElasticsearchClient client, RetryBackoff backoff, ElasticsearchSinkMetrics metrics) {
        this.client = client;
        this.backoff = backoff;
        this.metrics = metrics;
    }

    Outcome send(List<DocumentAction> batch) {
        List<DocumentAction> applied = new ArrayList<>();
        List<Refused> refused = new ArrayList<>();
        List<DocumentAction> pending = batch;
        int stale = 0;
        int retries = 0;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                if (attempt > backoff.maxAttempts()) {
                    LOG.warn("{} actions still refused with 429/5xx or unsent after {} attempts; they stay buffered",
                            pending.size(), backoff.maxAttempts());
                    return new Outcome(applied, stale, refused, pending, retries);
                }
                retries++;
                metrics.retried();
                backoff.pause(attempt - 1);
            }
            List<DocumentAction> sending = pending;
            BulkResponse response;
            long started = System.nanoTime();
            try {
                response = client.bulk(BulkRequest.of(b -> b.operations(sending.stream()
                        .map(DocumentAction::operation).toList())));
            } catch (ElasticsearchException e) {
                if (e.status() == 401 || e.status() == 403) {
                    throw new org.apache.kafka.connect.errors.ConnectException("Elasticsearch refused the sink's "
                            + "credentials: " + e.getMessage(), e);
                }
                LOG.warn("A _bulk request of {} actions failed (attempt {}): {}", sending.size(), attempt, e.getMessage());
                continue;
            } catch (IOException e) {
                LOG.warn("A _bulk request of {} actions failed (attempt {}): {}", sending.size(), attempt, e.getMessage());
                continue; // the whole request again
            }
            metrics.bulk(System.nanoTime() - started);
            List<DocumentAction> retry = new ArrayList<>();
            List<BulkResponseItem> items = response.items();
            for (int i = 0; i < items.size(); i++) {
                BulkResponseItem item = items.get(i);
                DocumentAction action = sending.get(i);
                if (item.error() == null) {
                    applied.add(action);
                } else if (item.status() == 409) {
                    stale++;
                    LOG.debug("Skipped {} in {}: Elasticsearch holds a newer version", item.id(), item.index());
                } else if (item.status() == 429 || item.status() >= 500) {
                    retry.add(action);
                } else {
                    refused.add(new Refused(action, new DataException(ChangeEvent.describe(action.record())
                            + ": Elasticsearch refused it in index " + item.index() + " with " + item.status() + " "
                            + item.error().type() + ": " + item.error().reason())));
                }
            }
            pending = retry;
        }
        return new Outcome(applied, stale, refused, List.of(), retries);
    }
}
