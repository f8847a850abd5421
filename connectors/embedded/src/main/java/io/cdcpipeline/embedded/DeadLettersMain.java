package io.cdcpipeline.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cdc dead-letters replay --config FILE --sink NAME [--table schema.table]}: once the cause of refusals is
 * gone (a type change that is now allowed, a policy set to clamp, a mapping fixed), delivers a sink's dead-lettered
 * records through that sink again, as they were: each keeps its change version, so a record older than what the copy
 * holds changes nothing. Records still refused go back to the dead-letter file with their new reason; records of
 * other tables stay there untouched. The file being replayed is set aside first ({@code <file>.replaying}): a replay
 * stopped midway is resumed by the next one, and delivering a record twice is harmless.
 */
@Command(name = "dead-letters", mixinStandardHelpOptions = true, subcommands = DeadLettersMain.Replay.class,
        description = "Work with the embedded runner's dead-letter files.")
public final class DeadLettersMain {

    static {
        JsonLimits.raise(); // before the converters that read the dead letters back are made
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DeadLettersMain()).execute(args));
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Deliver a sink's dead-lettered records through it again (at their original versions).")
    static final class Replay implements Callable<Integer> {

        private static final int BATCH = 500;

        @Option(names = "--config", required = true, description = "The pipeline file (as for bin/cdc run).")
        Path config;

        @Option(names = "--sink", required = true, description = "The sink whose dead letters to replay.")
        String sink;

        @Option(names = "--table", description = "Only records of this source table (schema.table).")
        String table;

        @Override
        public Integer call() throws Exception {
            PipelineFile file;
            SinkRunner runner;
            try {
                file = PipelineFile.load(config);
                Map<String, String> sinkConfig = file.sinks().get(sink);
                if (sinkConfig == null) {
                    throw new ConfigException("--sink", sink, "is not a sink of " + config + " (" + file.sinkNames()
                            + ")");
                }
                runner = SinkRunner.validate(sink, sinkConfig, file.runner());
            } catch (ConfigException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            Path deadLetters = DeadLetterFile.path(file.runner(), sink);
            Path replaying = deadLetters.resolveSibling(deadLetters.getFileName() + ".replaying");
            if (!Files.exists(replaying)) {
                if (!Files.exists(deadLetters)) {
                    System.out.println("no dead letters for sink " + sink + " (" + deadLetters + ")");
                    return 0;
                }
                Files.move(deadLetters, replaying, StandardCopyOption.ATOMIC_MOVE);
            }
            Counts counts = new Counts();
            try {
                runner.start();
                replay(replaying, runner, counts);
            } finally {
                runner.close();
            }
            Files.delete(replaying);
            System.out.println("sink " + sink + ": " + counts.replayed + " dead-lettered records delivered again, "
                    + counts.refusedAgain + " refused again, " + counts.leftAlone + " of other tables left in "
                    + deadLetters + (counts.unreadable > 0 ? "; " + counts.unreadable + " written without schemas by "
                    + "an older version, left there (bin/cdc validate --repair re-sends their rows)" : ""));
            return counts.refusedAgain > 0 ? 1 : 0;
        }

        private static final class Counts {
            long replayed;
            long refusedAgain;
            long leftAlone;
            long unreadable;
        }

        private void replay(Path replaying, SinkRunner runner, Counts counts) throws Exception {
            ObjectMapper json = new ObjectMapper();
            JsonConverter converter = new JsonConverter();
            converter.configure(Map.of("schemas.enable", "true", "converter.type", "value",
                    "replace.null.with.default", "false")); // a NULL stays NULL, not the column default
            DeadLetterFile out = runner.deadLetterFile(); // opened afresh: it counts what this replay writes
            List<SinkRecord> viaTransforms = new ArrayList<>();
            List<SinkRecord> direct = new ArrayList<>();
            for (String line : Files.readAllLines(replaying, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = json.readTree(line);
                if (table != null && !table.equals(DeadLetterFile.tableOf(entry))) {
                    out.append(line);
                    counts.leftAlone++;
                    continue;
                }
                if (!entry.path("value").has("schema") || !entry.has("stage")) {
                    out.append(line);
                    counts.unreadable++;
                    continue;
                }
                String topic = entry.path("topic").asText();
                SchemaAndValue key = entry.path("key").isNull() ? SchemaAndValue.NULL
                        : converter.toConnectData(topic, json.writeValueAsBytes(entry.path("key")));
                SchemaAndValue value = converter.toConnectData(topic, json.writeValueAsBytes(entry.path("value")));
                SinkRecord record = new SinkRecord(topic, entry.path("partition").asInt(), key.schema(), key.value(),
                        value.schema(), value.value(), entry.path("offset").asLong());
                (DeadLetterFile.TRANSFORM.equals(entry.path("stage").asText()) ? viaTransforms : direct).add(record);
                counts.replayed++;
                if (viaTransforms.size() + direct.size() >= BATCH) {
                    flush(runner, viaTransforms, direct);
                }
            }
            flush(runner, viaTransforms, direct);
            counts.refusedAgain = out.count() - counts.leftAlone - counts.unreadable;
        }

        private static void flush(SinkRunner runner, List<SinkRecord> viaTransforms, List<SinkRecord> direct) {
            if (!viaTransforms.isEmpty()) {
                runner.deliver(new ArrayList<>(viaTransforms));
                viaTransforms.clear();
            }
            if (!direct.isEmpty()) {
                runner.deliverTransformed(new ArrayList<>(direct));
                direct.clear();
            }
        }
    }
}
