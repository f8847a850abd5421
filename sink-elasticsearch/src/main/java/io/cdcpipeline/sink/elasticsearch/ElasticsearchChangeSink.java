package io.cdcpipeline.sink.elasticsearch;

import io.cdcpipeline.core.sink.BatchLimits;
import io.cdcpipeline.core.sink.ChangeSinkEngine;
import io.cdcpipeline.core.sink.DeadLetters;

/**
 * The Elasticsearch sink: the change-sink engine with {@link ElasticsearchTarget}. Requests are {@code _bulk}
 * requests mixing indices, up to {@code max.in.flight.requests} in flight; order between them does not matter
 * because every write carries its change version ({@code version_type=external}). Ten requests' worth may stay
 * buffered while Elasticsearch pushes back before {@code put} refuses more.
 */
final class ElasticsearchChangeSink extends ChangeSinkEngine<DocumentAction> {

    ElasticsearchChangeSink(ElasticsearchConnection connection, ElasticsearchSinkConfig config, DeadLetters deadLetters,
            ElasticsearchSinkMetrics metrics) {
        super("Elasticsearch", buffer -> new ElasticsearchTarget(connection, config, metrics, buffer),
                new BatchLimits(config.batchMaxActions(), config.batchMaxBytes(), config.batchLingerMs(),
                        config.maxInFlight(), false, 10),
                deadLetters, metrics.sinkMetrics());
    }
}
