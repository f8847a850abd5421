package io.cdcpipeline.bench;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The ceiling a pipeline benchmark measures against: Debezium's embedded engine, configured as the runner configures
 * it, with a consumer that does nothing but mark each record processed (as the runner does once both sinks hold it)
 * and write the {@code total} of the marker row ({@code id = 0}) into a file the benchmark watches, each time it
 * changes, and the number of change records seen into {@code <file>.count} after each batch (a snapshot's reads). Run as a process of its
 * own, with the same heap limit as the runner, so that both pay the same start-up.
 * <p>
 * Arguments: the engine's properties file, the file to write the marker's value into.
 */
public final class SourceCeiling {

    private SourceCeiling() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        Path seenFile = Paths.get(args[1]);
        Path countFile = Paths.get(args[1] + ".count");
        long[] changes = {0};
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .notifying((List<RecordChangeEvent<SourceRecord>> batch,
                        DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) -> {
                    for (RecordChangeEvent<SourceRecord> event : batch) {
                        Object marker = marker(event.record());
                        if (marker != null) {
                            write(seenFile, marker.toString());
                        }
                        if (event.record().value() instanceof Struct) {
                            changes[0]++;
                        }
                        committer.markProcessed(event);
                    }
                    write(countFile, Long.toString(changes[0]));
                    committer.markBatchFinished();
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close(); // commits the position, as a stopped runner does
                executor.shutdown();
                executor.awaitTermination(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("closing the engine failed: " + e);
            }
        }));
        executor.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }

    /** The {@code total} of the marker row ({@code id = 0}) if the record is a change of it, else null. */
    private static Object marker(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("after") == null) {
            return null;
        }
        Struct after = value.getStruct("after");
        boolean isMarker = after != null && after.schema().field("id") != null
                && ((Number) after.get("id")).longValue() == 0;
        return isMarker ? after.get("total") : null;
    }

    private static void write(Path file, String value) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, value);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }
}
