package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.BatchLimits;
import io.cdcpipeline.core.sink.ChangeSinkEngine;
import io.cdcpipeline.core.sink.DeadLetters;

/**
 * The ClickHouse sink: the change-sink engine with {@link ClickHouseTarget}. A request is one table's rows, one insert
 * in flight at a time (the next batch is encoded meanwhile), and a table whose batch reaches its row limit is sent
 * alone.
 */
final class ClickHouseChangeSink extends ChangeSinkEngine<EncodedRow> {

    ClickHouseChangeSink(ClickHouseConnection connection, ClickHouseSinkConfig config, DeadLetters deadLetters,
            ClickHouseSinkMetrics metrics) {
        super("ClickHouse", buffer -> new ClickHouseTarget(connection, config, metrics, buffer),
                new BatchLimits(config.batchMaxRows(), config.batchMaxBytes(), config.batchLingerMs(), 1, true, 1),
                deadLetters, metrics.sinkMetrics());
    }
}
