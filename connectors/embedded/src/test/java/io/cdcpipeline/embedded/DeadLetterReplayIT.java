package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.Await;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/cdc dead-letters replay}: records a sink refused (dates before 1970 on ClickHouse 18.16 under
 * {@code value.out.of.range=strict}) are replayed once the cause is gone (the policy set to clamp): each lands at its
 * original version, so one whose row changed since does not overwrite the newer row; replayed while the cause is
 * still there, they stay dead-lettered.
 */
@RealStack
class DeadLetterReplayIT {

    @Test
    void deadLettersReplayedOnceTheCauseIsGoneLandWithoutOverwritingNewerRows(StackEndpoints stack,
            PostgresTestDatabase pg, ClickHouseTestDatabase ch, @TempDir Path work) throws Exception {
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE dated (id integer PRIMARY KEY, d date NOT NULL, note text)");
            st.execute("INSERT INTO dated VALUES (1, '2020-01-01', 'a'), (2, '1900-01-01', 'b'), (3, '1950-06-01', 'c')");
        }
        PipelineFile strict = ClickHousePipelineFile.write(stack, pg, ch, work, "replay", List.of("public.dated"),
                Map.of("sink.clickhouse.value.out.of.range", "strict"));
        Path config = work.resolve("pipeline.properties");
        Path deadLetters = DeadLetterFile.path(strict.runner(), "clickhouse");
        try (EmbeddedPipeline runner = EmbeddedPipeline.validate(strict)) {
            runner.start();
            Await.until(() -> "1".equals(count(ch)) && runner.deadLettered().get("clickhouse") == 2, 90,
                    "one row in ClickHouse, two dead-lettered");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE dated SET d = '2021-01-01', note = 'newer' WHERE id = 3"); // now a date 18.16 holds
            }
            Await.until(() -> "2".equals(count(ch)), 60, "the update of row 3");
        }
        assertThat(Files.readAllLines(deadLetters)).hasSize(2);

        // The cause is still there: both are refused again and stay dead-lettered.
        Replayed again = replay(config);
        assertThat(again.exit()).as(again.output()).isEqualTo(1);
        assertThat(again.output()).contains("2 dead-lettered records delivered again, 2 refused again");
        assertThat(Files.readAllLines(deadLetters)).hasSize(2);

        // The cause gone (dates clamped now): both land at their versions; row 3 keeps its newer state.
        Files.writeString(config, Files.readString(config).replace("value.out.of.range=strict",
                "value.out.of.range=clamp"));
        Replayed fixed = replay(config);
        assertThat(fixed.exit()).as(fixed.output()).isZero();
        assertThat(fixed.output()).contains("2 dead-lettered records delivered again, 0 refused again");
        assertThat(ch.query("SELECT id, toString(toUInt16(d)), note FROM " + ch.name()
                + ".dated_current ORDER BY id FORMAT CSV").replace("\"", "").split("\n"))
                .containsExactly("1,18262,a", "2,0,b", "3,18628,newer");
        assertThat(Files.exists(deadLetters) ? Files.readAllLines(deadLetters) : List.of()).isEmpty();
        assertThat(deadLetters.resolveSibling(deadLetters.getFileName() + ".replaying")).doesNotExist();
    }

    private static String count(ClickHouseTestDatabase ch) {
        String view = ch.name() + ".dated_current";
        return "1".equals(ch.query("EXISTS TABLE " + view)) ? ch.query("SELECT count() FROM " + view) : "";
    }

    private record Replayed(int exit, String output) {
    }

    private static Replayed replay(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new DeadLettersMain()).execute("replay", "--config", config.toString(),
                    "--sink", "clickhouse");
            return new Replayed(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }
}
