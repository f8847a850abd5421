package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one batch of actions as {@code _bulk} requests (NDJSON written by {@link DocumentAction}, sent with the
 * low-level client, the answer read item by item with a streaming parser) and handles every item on its own: a 409 is a write older
 * than what the document holds (a replay) and is skipped; 429 and 5xx items, and whole requests that fail on the
 * network, are retried with backoff and jitter; any other refusal (a mapping or parse error, the field limit) is
 * returned to be dead-lettered with Elasticsearch's reason. A whole request refused with a 4xx (413: larger than
 * the node's {@code http.max_content_length}) is sent in halves until the document at fault is alone, and only it is
 * dead-lettered. What still fails after the last attempt is returned
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

    /** What to do when Elasticsearch refuses the sink's account: no document is at fault. */
    static final String ACCESS_FIX = "Check elasticsearch.username and elasticsearch.password (or elasticsearch.api.key) "
            + "and that the account's role may create_index, manage, write and read the sink's indices and aliases; "
            + "changes wait meanwhile, none is dead-lettered";

    private final BulkTransport transport;
    private final RetryBackoff backoff;
    private final ElasticsearchSinkMetrics metrics;

    BulkSender(BulkTransport transport, RetryBackoff backoff, ElasticsearchSinkMetrics metrics) {
        this.transport = transport;
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
            List<Item> items;
            long started = System.nanoTime();
            try {
                items = transport.send(sending);
            } catch (BulkTransport.RequestRefused e) {
                int status = e.status();
                if (status == 401 || status == 403) {
                    throw new TargetUnavailableException("Elasticsearch refused a _bulk request of the sink's account ("
                            + status + "): " + e.getMessage() + ". " + ACCESS_FIX, e);
                }
                if (status != 408 && status != 429 && status >= 400 && status < 500) {
                    // The request itself is refused (413: larger than http.max_content_length): sending it again
                    // cannot help. Halves are sent instead, down to the single document at fault.
                    Outcome parts = split(sending, status, e);
                    applied.addAll(parts.applied());
                    refused.addAll(parts.refused());
                    return new Outcome(applied, stale + parts.stale(), refused, parts.leftOver(),
                            retries + parts.retries());
                }
                LOG.warn("A _bulk request of {} actions failed with {} (attempt {})", sending.size(), status, attempt);
                continue; // the whole request again
            } catch (IOException e) {
                LOG.warn("A _bulk request of {} actions failed (attempt {}): {}", sending.size(), attempt, e.getMessage());
                continue;
            }
            metrics.bulk(System.nanoTime() - started);
            if (items.size() != sending.size()) {
                throw new ConnectException("Elasticsearch answered " + items.size() + " items to a _bulk request of "
                        + sending.size());
            }
            List<DocumentAction> retry = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                Item item = items.get(i);
                DocumentAction action = sending.get(i);
                if (item.errorType() == null) {
                    // Success, including a delete of a document that is not there (404, result not_found): with an
                    // external version it still leaves the versioned tombstone that blocks older writes.
                    applied.add(action);
                } else if (item.status() == 401 || item.status() == 403 && !"cluster_block_exception".equals(item.errorType())) {
                    // The account may not write this index: no document is at fault. What was applied stays applied
                    // (external versions make the redelivery of this request harmless).
                    throw new TargetUnavailableException("Elasticsearch refused to write to index " + item.index()
                            + " for the sink's account (" + item.status() + " " + item.errorType() + ": "
                            + item.errorReason() + "). " + ACCESS_FIX, null);
                } else if (item.status() == 409) {
                    stale++;
                    LOG.debug("Skipped {} in {}: Elasticsearch holds a newer version", action.id(), action.alias());
                } else if (item.status() == 429 || item.status() >= 500
                        || "cluster_block_exception".equals(item.errorType())) {
                    // An index block (write block during a shrink, read-only after a flood-stage disk watermark) is
                    // lifted by an operator or by Elasticsearch: the change waits, it is not refused.
                    retry.add(action);
                } else {
                    String what = action.record() == null ? "document " + action.id() : ChangeEvent.describe(action.record());
                    refused.add(new Refused(action, new DataException(what + ": Elasticsearch refused it in index " + item.index() + " with " + item.status() + " "
                            + item.errorType() + ": " + item.errorReason())));
                }
            }
            pending = retry;
        }
        return new Outcome(applied, stale, refused, List.of(), retries);
    }

    /** A request Elasticsearch refused as a whole: its halves are sent on their own; one action alone is refused. */
    private Outcome split(List<DocumentAction> sending, int status, BulkTransport.RequestRefused e) {
        if (sending.size() == 1) {
            DocumentAction action = sending.get(0);
            String what = action.record() == null ? "document " + action.id() : ChangeEvent.describe(action.record());
            String reason = status == 413 ? "larger than Elasticsearch takes in one request (its http.max_content_length)"
                    : "refused as a request of its own";
            return new Outcome(List.of(), 0, List.of(new Refused(action, new DataException(what + ": the _bulk "
                    + "request of this document alone for index " + action.alias() + " failed with " + status + ", "
                    + reason + ": " + firstLine(e)))), List.of(), 0);
        }
        LOG.warn("A _bulk request of {} actions was refused with {}; sending it in halves", sending.size(), status);
        int half = sending.size() / 2;
        Outcome first = send(sending.subList(0, half));
        Outcome second = send(sending.subList(half, sending.size()));
        List<DocumentAction> applied = new ArrayList<>(first.applied());
        applied.addAll(second.applied());
        List<Refused> refused = new ArrayList<>(first.refused());
        refused.addAll(second.refused());
        List<DocumentAction> leftOver = new ArrayList<>(first.leftOver());
        leftOver.addAll(second.leftOver());
        return new Outcome(applied, first.stale() + second.stale(), refused, leftOver,
                first.retries() + second.retries());
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
