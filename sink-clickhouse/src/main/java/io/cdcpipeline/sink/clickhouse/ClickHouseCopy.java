package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.consistency.SinkCopy;
import io.cdcpipeline.core.sink.RetryBackoff;
import java.util.Map;

/** The ClickHouse sink's copy, opened from its connector config, for checks from outside the sink task. */
public final class ClickHouseCopy {

    private ClickHouseCopy() {
    }

    /** Opens the copy a sink with this config writes; a bad config throws Kafka's ConfigException naming the key. */
    public static SinkCopy open(Map<String, String> sinkConfig) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(sinkConfig);
        ClickHouseConnection connection = ClickHouseConnection.open(config);
        RetryBackoff.Failures retries = ClickHouseFailure.retries(() -> { });
        TableManager tables = new TableManager(connection, config, config.backoff(), retries, table -> { },
                TableRebuilds.none(config));
        ClickHouseTargetRows rows = new ClickHouseTargetRows(connection, tables, config.backoff(), retries);
        ClickHouseChecksums checksums = new ClickHouseChecksums(connection, tables, config.backoff(), retries);
        return SinkCopy.of(rows, rows, checksums, tables::existingTable, connection::close);
    }
}
