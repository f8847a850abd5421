package io.cdcpipeline.embedded.position;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * The embedded engine's offset store ({@code offset.storage}): Debezium's offsets kept in a {@link PositionFile}, so
 * that every save is atomic and durable and an unreadable file stops the runner instead of looking like "no
 * position". The file is named by {@code offset.storage.file.filename}, as for Kafka's file store.
 * <p>
 * A save that fails is reported to the engine as failed and leaves the offsets held in memory unchanged, so the
 * engine never believes a position is stored that is not.
 */
public final class CrashSafeOffsetStore implements OffsetBackingStore {

    public static final String FILE_CONFIG = "offset.storage.file.filename";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path file;
    private PositionFile.Stored stored;
    private ExecutorService executor;

    @Override
    public void configure(WorkerConfig config) {
        String name = config.originalsStrings().get(FILE_CONFIG);
        if (name == null || name.isBlank()) {
            throw new ConnectException(FILE_CONFIG + " is not set: the offset store needs the file to keep the position in");
        }
        file = Path.of(name);
    }

    @Override
    public synchronized void start() {
        PositionFile.Stored read = PositionFile.read(file); // throws, naming the file, if it exists but is unreadable
        stored = read != null ? read : PositionFile.Stored.initial(null);
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "cdc-offset-store");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
    }

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        return executor.submit(() -> {
            Map<ByteBuffer, ByteBuffer> current = current().offsets();
            Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
            for (ByteBuffer key : keys) {
                result.put(key, current.get(key));
            }
            return result;
        });
    }

    @Override
    public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
        return executor.submit(() -> {
            Map<ByteBuffer, ByteBuffer> merged = new LinkedHashMap<>(current().offsets());
            merged.putAll(values);
            PositionFile.Stored next = current().withOffsets(merged);
            try {
                PositionFile.write(file, next);
            } catch (IOException | RuntimeException e) {
                ConnectException failure = new ConnectException("could not save the source position to " + file + ": "
                        + e.getMessage(), e);
                if (callback != null) {
                    callback.onCompletion(failure, null);
                }
                throw failure;
            }
            synchronized (this) {
                stored = next;
            }
            if (callback != null) {
                callback.onCompletion(null, null);
            }
            return null;
        });
    }

    private synchronized PositionFile.Stored current() {
        return stored;
    }

    /** Keys are JSON arrays {@code [engine name, source partition]}, as the engine's offset writer makes them. */
    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        Set<Map<String, Object>> partitions = new HashSet<>();
        for (ByteBuffer key : current().offsets().keySet()) {
            try {
                JsonNode node = JSON.readTree(StandardCharsets.UTF_8.decode(key.duplicate()).toString());
                if (node.isArray() && node.size() == 2 && connectorName.equals(node.get(0).asText())) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> partition = JSON.convertValue(node.get(1), Map.class);
                    partitions.add(partition);
                }
            } catch (IOException e) {
                // not a key of the engine's writer: it names no partition of this connector
            }
        }
        return partitions;
    }
}
