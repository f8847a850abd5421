package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.util.BinaryData;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One versioned index or delete of a document, with the record it came from (for the dead-letter queue) and its
 * source commit time (for the index's watermark).
 *
 * @param source the document as JSON, or null for a delete
 */
record DocumentAction(SinkRecord record, String alias, String id, long version, byte[] source, long sourceTsMs) {

    boolean isDelete() {
        return source == null;
    }

    /** Roughly what the action adds to a _bulk body. */
    long bytes() {
        return 96 + alias.length() + id.length() + (source == null ? 0 : source.length);
    }

    BulkOperation operation() {
        if (source == null) {
            return BulkOperation.of(op -> op.delete(d -> d.index(alias).id(id).version(version)
                    .versionType(VersionType.External)));
        }
        BinaryData document = BinaryData.of(source, "application/json");
        return BulkOperation.of(op -> op.index(i -> i.index(alias).id(id).version(version)
                .versionType(VersionType.External).document(document)));
    }
}
