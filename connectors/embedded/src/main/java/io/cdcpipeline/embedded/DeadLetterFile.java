package io.cdcpipeline.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The embedded runner's dead-letter path for one sink: a JSON-lines file where each refused record is written with
 * the reason, its topic, partition and offset, the stage that refused it ({@code sink} or {@code transform}), and its
 * key and value as Connect JSON with their schemas, so nothing refused is lost and {@code bin/cdc dead-letters replay}
 * can deliver it again as it was. Each line is on disk ({@code fsync}) before {@link #report} completes: the file may
 * hold the only copy of a record once the position moved past it, so a power cut must not take the line with it.
 */
final class DeadLetterFile implements ErrantRecordReporter, AutoCloseable {

    static {
        JsonLimits.raise(); // before this class's mappers and converters are made
    }

    private final Path file;
    private final FileChannel out;
    private final AtomicLong synced = new AtomicLong();
    private final JsonConverter converter = new JsonConverter();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong count = new AtomicLong();

    DeadLetterFile(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dead-letter file " + file, e);
        }
        converter.configure(Map.of("schemas.enable", "true", "converter.type", "value",
                "replace.null.with.default", "false"));
    }

    /** Where a record was refused: by the sink's task, or by a transform before it. */
    static final String SINK = "sink";
    static final String TRANSFORM = "transform";

    @Override
    public Future<Void> report(SinkRecord record, Throwable error) {
        return report(record, error, SINK);
    }

    /** Records a refused record, as the {@code stage} that refused it saw it. */
    synchronized Future<Void> report(SinkRecord record, Throwable error, String stage) {
        ObjectNode line = json.createObjectNode();
        line.put("time", Instant.now().toString());
        line.put("reason", error.getMessage());
        line.put("stage", stage);
        line.put("topic", record.topic());
        line.put("partition", record.kafkaPartition());
        line.put("offset", record.kafkaOffset());
        try {
            line.set("key", asJson(record.topic(), record.keySchema(), record.key()));
            line.set("value", asJson(record.topic(), record.valueSchema(), record.value()));
            writeDurably(json.writeValueAsString(line));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to dead-letter file " + file, e);
        }
        count.incrementAndGet();
        return CompletableFuture.completedFuture(null);
    }

    /** Appends a line read from another dead-letter file as it is (a record a replay left alone). */
    synchronized void append(String line) {
        try {
            writeDurably(line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to dead-letter file " + file, e);
        }
        count.incrementAndGet();
    }

    /** Appends the line and forces it to the disk before returning. */
    private void writeDurably(String line) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
        out.force(false);
        synced.incrementAndGet();
    }

    /** How many lines were forced to the disk. */
    long synced() {
        return synced.get();
    }

    /** Connect JSON of a key or value; JSON null for none (a table without a primary key has no key). */
    private JsonNode asJson(String topic, Schema schema,
            Object value) throws IOException {
        byte[] bytes = converter.fromConnectData(topic, schema, value);
        return bytes == null ? json.nullNode() : json.readTree(bytes);
    }

    /** Where the runner keeps a sink's dead letters: {@code dead.letter.dir/<name>-<sink>.jsonl}. */
    static Path path(RunnerConfig runner, String sink) {
        return runner.deadLetterDir().resolve(runner.name() + "-" + sink + ".jsonl");
    }

    /**
     * How many records sit in a dead-letter file, per source table (from the record's envelope, else its topic
     * {@code <prefix>.<schema>.<table>}); empty when there is no file.
     */
    static Map<String, Long> countsByTable(Path file) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return counts;
        }
        ObjectMapper json = new ObjectMapper();
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                counts.merge(tableOf(json.readTree(line)), 1L, Long::sum);
            }
        }
        return counts;
    }

    /** A line's source table: from the record's envelope (with or without its schema), else from its topic. */
    static String tableOf(JsonNode entry) {
        JsonNode value = entry.path("value");
        JsonNode source = (value.has("schema") && value.has("payload")
                ? value.path("payload") : value).path("source");
        return source.hasNonNull("schema") && source.hasNonNull("table")
                ? source.get("schema").asText() + "." + source.get("table").asText()
                : tableOfTopic(entry.path("topic").asText(""));
    }

    private static String tableOfTopic(String topic) {
        String[] parts = topic.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : topic;
    }

    long count() {
        return count.get();
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
