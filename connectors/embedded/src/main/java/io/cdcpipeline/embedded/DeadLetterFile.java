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
