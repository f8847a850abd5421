package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.sink.clickhouse.types.SqlText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the sink's database when {@code auto.create.database} asks for it. */
final class DatabaseCreator {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseCreator.class);

    private DatabaseCreator() {
    }

    /** CREATE DATABASE IF NOT EXISTS, retried like any call; a refusal (no grant) pauses the sink with the reason. */
    static void create(ClickHouseConnection connection, ClickHouseSinkConfig config) {
        String sql = "CREATE DATABASE IF NOT EXISTS " + SqlText.identifier(config.database());
        config.backoff().run(sql, () -> connection.execute(sql), ClickHouseFailure.retries(() -> { }));
        LOG.info("Database {} is there ({}=true)", config.database(), ClickHouseSinkConfig.AUTO_CREATE_DATABASE);
    }
}
