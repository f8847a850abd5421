package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.testkit.StackEndpoints;
import io.cdcpipeline.testkit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case: the configured ClickHouse database does not exist. Validation names the setting; a runner
 * started anyway (the database dropped after validation, say) pauses, then stops with the setting and the fix named,
 * dead-letters nothing and keeps its position; started again once the database exists, it delivers every row.
 */
@RealStack
class MissingTargetIT {

    @Test
    void aMissingDatabaseStopsTheRunnerWithoutDeadLettersAndLosesNothing(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL)");
            st.execute("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 30) g");
        }
        String missing = TestNames.unique("nodb");
        PipelineFile file = ClickHousePipelineFile.write(stack, pg, ch, work, "missing", List.of("public.customers"),
                Map.of("sink.clickhouse.clickhouse.database", missing, "retry.timeout.ms", "3000",
                        "retry.backoff.ms", "500"));
        try (EmbeddedPipeline runner = EmbeddedPipeline.validate(file)) {
            assertThatThrownBy(runner::checkSinkServers).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("clickhouse.database").hasMessageContaining("auto.create.database=true");
            runner.start();
            assertThat(runner.awaitStop(90, TimeUnit.SECONDS)).as("the runner stops").isTrue();
            assertThat(runner.failure()).isNotNull();
            assertThat(stackOf(runner.failure())).contains("ClickHouse error 81")
                    .contains("create it (CREATE DATABASE ...), or set auto.create.database=true");
            assertThat(runner.deadLettered()).containsEntry("clickhouse", 0L);
        }
        assertThat(deadLetterLines(work)).isZero();

        ch.query("CREATE DATABASE " + missing);
        try {
            try (EmbeddedPipeline runner = EmbeddedPipeline.validate(file)) {
                runner.start();
                Await.until(() -> "1".equals(ch.query("EXISTS TABLE " + missing + ".customers_current"))
                        && "30".equals(ch.query("SELECT count() FROM " + missing + ".customers_current")), 90,
                        "every row once the database exists");
                assertThat(runner.deadLettered()).containsEntry("clickhouse", 0L);
            }
            ReliabilityCase.fault("ClickHouse database missing (longer than retry.timeout.ms)")
                    .expected("validation names clickhouse.database; a runner started anyway stops with the fix named, "
                            + "dead-letters nothing, keeps its position; a restart delivers every row")
                    .observed("stopped with 'ClickHouse error 81' and 'create it (CREATE DATABASE ...), or set "
                            + "auto.create.database=true'; 0 dead letters; 30 of 30 rows after the restart")
                    .rowsCompared(30).record();
        } finally {
            ch.query("DROP DATABASE IF EXISTS " + missing);
        }
    }

    private static String stackOf(Throwable error) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private static long deadLetterLines(Path work) throws Exception {
        Path dir = work.resolve("dead-letters");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long lines = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                lines += Files.readAllLines(f).size();
            }
        }
        return lines;
    }
}
