package io.cdcpipeline.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The embedded runner's dead-letter path for one sink: a JSON-lines file where each refused record is written with
 * the reason, its topic, partition and offset, and its key and value as Connect JSON, so nothing refused is lost.
 * Each line is flushed to disk before {@link #report} completes.
 */
final class DeadLetterFile implements ErrantRecordReporter, AutoCloseable {

    private final Path file;
    private final BufferedWriter out;
    private final JsonConverter converter = new JsonConverter();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong count = new AtomicLong();

    DeadLetterFile(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open dead-letter file " + file, e);
        }
        converter.configure(Map.of("schemas.enable", "false", "converter.type", "value"));
    }

    @Override
    public synchronized Future<Void> report(SinkRecord record, Throwable error) {
        ObjectNode line = json.createObjectNode();
        line.put("time", Instant.now().toString());
        line.put("reason", error.getMessage());
        line.put("topic", record.topic());
        line.put("partition", record.kafkaPartition());
        line.put("offset", record.kafkaOffset());
        try {
            line.set("key", asJson(record.topic(), record.keySchema(), record.key()));
            line.set("value", asJson(record.topic(), record.valueSchema(), record.value()));
            out.write(json.writeValueAsString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to dead-letter file " + file, e);
        }
        count.incrementAndGet();
        return CompletableFuture.completedFuture(null);
    }

    /** Connect JSON of a key or value; JSON null for none (a table without a primary key has no key). */
    private com.fasterxml.jackson.databind.JsonNode asJson(String topic, org.apache.kafka.connect.data.Schema schema,
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
        Map<String, Long> counts = new java.util.TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return counts;
        }
        ObjectMapper json = new ObjectMapper();
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                com.fasterxml.jackson.databind.JsonNode entry = json.readTree(line);
                com.fasterxml.jackson.databind.JsonNode source = entry.path("value").path("source");
                String table = source.hasNonNull("schema") && source.hasNonNull("table")
                        ? source.get("schema").asText() + "." + source.get("table").asText()
                        : tableOfTopic(entry.path("topic").asText(""));
                counts.merge(table, 1L, Long::sum);
            }
        }
        return counts;
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
