package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorResponse;
import io.cdcpipeline.core.sink.TargetUnavailableException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

/** How an index operation Elasticsearch refused is classed: the cluster's trouble pauses, the table's is refused. */
class IndexRefusalTest {

    @Test
    void theClustersShardLimitPausesTheSinkWithTheFixAndDeadLettersNothing() {
        RuntimeException e = IndexManager.refusal("creating index t_v1", refused(400, "validation_exception",
                "Validation Failed: 1: this action would add [1] shards, but this cluster currently has [1000]/[1000] "
                        + "maximum normal shards open;"));
        assertThat(e).isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("cluster.max_shards_per_node").hasMessageContaining("number_of_replicas")
                .hasMessageContaining("none is dead-lettered");
    }

    @Test
    void aFieldLimitIsTheTablesRefusalNamingTheSinksSetting() {
        RuntimeException e = IndexManager.refusal("creating index wide_v1", refused(400, "illegal_argument_exception",
                "Limit of total fields [1000] has been exceeded"));
        assertThat(e).isInstanceOf(DataException.class).hasMessageContaining("index.mapping.total.fields.limit");
    }

    @Test
    void overloadIsRetriedAndAnyOtherRefusalIsTheTables() {
        assertThat(IndexManager.refusal("x", refused(429, "es_rejected_execution_exception", "queue full")))
                .isInstanceOf(RetriableException.class);
        assertThat(IndexManager.refusal("x", refused(400, "mapper_parsing_exception", "bad mapping")))
                .isInstanceOf(DataException.class).hasMessageContaining("bad mapping");
    }

    private static ElasticsearchException refused(int status, String type, String reason) {
        return new ElasticsearchException("indices.create", ErrorResponse.of(r -> r.status(status)
                .error(c -> c.type(type).reason(reason))));
    }
}
