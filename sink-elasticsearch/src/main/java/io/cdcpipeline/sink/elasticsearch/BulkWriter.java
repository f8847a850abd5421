package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.sink.DeadLetters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes change events as one {@code _bulk} request: index and delete operations that carry the change version as
 * an external version. Elasticsearch then refuses, per item, any write older than what the document holds (409):
 * the expected outcome of a replay, counted and skipped. 429 and 5xx items are retried with backoff; any other
 * refused item is dead-lettered with Elasticsearch's reason.
 */
final class BulkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BulkWriter.class);

    private record Pending(SinkRecord record, BulkOperation operation) {
    }

    private final ElasticsearchClient client;
    private final ElasticsearchSinkConfig config;
    private final DeadLetters deadLetters;
    private final Set<String> knownIndices = new HashSet<>();
    private final AtomicLong staleSkipped = new AtomicLong();

    BulkWriter(ElasticsearchClient client, ElasticsearchSinkConfig config, DeadLetters deadLetters) {
        this.client = client;
        this.config = config;
        this.deadLetters = deadLetters;
    }

    /** How many writes Elasticsearch refused as older than what it held (replays). */
    long staleSkipped() {
        return staleSkipped.get();
    }

    void write(Collection<SinkRecord> records) {
        List<Pending> pending = new ArrayList<>();
        for (SinkRecord record : records) {
            BulkOperation operation = toOperation(record);
            if (operation != null) {
                pending.add(new Pending(record, operation));
            }
        }
        long backoff = config.retryBackoffMs();
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                if (attempt > config.maxRetries()) {
                    throw new RetriableException(pending.size() + " bulk items still refused with 429/5xx after "
                            + config.maxRetries() + " retries; the batch will be retried");
                }
                sleep(backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1));
                backoff = Math.min(backoff * 2, 30_000L);
            }
            pending = send(pending);
        }
    }

    private BulkOperation toOperation(SinkRecord record) {
        ChangeEvent event;
        try {
            event = ChangeEvent.of(record);
        } catch (DataException e) {
            deadLetters.report(record, e);
            return null;
        }
        if (event.operation() == Operation.TOMBSTONE) {
            return null; // the delete before it already wrote the versioned delete
        }
        if (event.operation() == Operation.TRUNCATE) {
            deadLetters.report(record, new DataException(ChangeEvent.describe(record) + ": table " + event.table()
                    + " was truncated; the Elasticsearch sink cannot remove all older documents of an index: rebuild it"));
            return null;
        }
        if (!event.hasPrimaryKey()) {
            deadLetters.report(record, new DataException(ChangeEvent.describe(record) + ": table " + event.table()
                    + " has no primary key, so its documents have no stable id; add a primary key or set Debezium's "
                    + "message.key.columns for it"));
            return null;
        }
        try {
            String index = ensureIndex(config.indexNames().apply(event.table()).toLowerCase(Locale.ROOT));
            String id = DocumentId.of(event.key());
            long version = event.changeVersion();
            if (event.isDelete()) {
                return BulkOperation.of(op -> op.delete(d -> d.index(index).id(id).version(version)
                        .versionType(VersionType.External)));
            }
            Object document = DocumentValues.document(event.columns(), event.after());
            return BulkOperation.of(op -> op.index(i -> i.index(index).id(id).version(version)
                    .versionType(VersionType.External).document(document)));
        } catch (DataException e) {
            deadLetters.report(record, new DataException(ChangeEvent.describe(record) + " (" + event.table() + "): "
                    + e.getMessage(), e));
            return null;
        }
    }

    /** Sends one bulk request; returns the items to retry. */
    private List<Pending> send(List<Pending> pending) {
        BulkResponse response;
        try {
            response = client.bulk(BulkRequest.of(b -> b.operations(pending.stream().map(Pending::operation).toList())));
        } catch (IOException | ElasticsearchException e) {
            throw new RetriableException("bulk request to Elasticsearch failed: " + e.getMessage(), e);
        }
        List<Pending> retry = new ArrayList<>();
        List<BulkResponseItem> items = response.items();
        for (int i = 0; i < items.size(); i++) {
            BulkResponseItem item = items.get(i);
            if (item.error() == null) {
                continue;
            }
            int status = item.status();
            if (status == 409) {
                staleSkipped.incrementAndGet(); // an older version than the document holds: a replay
                LOG.debug("Skipped {} in {}: Elasticsearch holds a newer version ({})", item.id(), item.index(),
                        item.error().reason());
            } else if (status == 429 || status >= 500) {
                retry.add(pending.get(i));
            } else {
                deadLetters.report(pending.get(i).record(), new DataException(
                        ChangeEvent.describe(pending.get(i).record()) + ": Elasticsearch refused it in index "
                                + item.index() + " with " + status + " " + item.error().type() + ": "
                                + item.error().reason()));
            }
        }
        return retry;
    }

    private String ensureIndex(String index) {
        if (knownIndices.contains(index)) {
            return index;
        }
        try {
            if (!client.indices().exists(e -> e.index(index)).value()) {
                LOG.info("Creating Elasticsearch index {} (gc_deletes {})", index, config.gcDeletes());
                try {
                    client.indices().create(c -> c.index(index).settings(s -> s.gcDeletes(t -> t.time(config.gcDeletes()))));
                } catch (ElasticsearchException e) {
                    if (!"resource_already_exists_exception".equals(e.error().type())) {
                        throw e;
                    }
                }
            }
        } catch (IOException e) {
            throw new RetriableException("checking or creating index " + index + " failed: " + e.getMessage(), e);
        } catch (ElasticsearchException e) {
            throw new ConnectException("creating index " + index + " failed: " + e.getMessage(), e);
        }
        knownIndices.add(index);
        return index;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while backing off", e);
        }
    }
}
