package io.cdcpipeline.embedded.position;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;

/**
 * A process that does nothing but save positions through {@link CrashSafeOffsetStore}, as fast as the engine would
 * with a 1 ms flush interval, for {@link PositionStoreKillIT} to kill. It prints what it found on start ({@code
 * loaded N}, {@code loaded none} or {@code unreadable ...}) and each position once the store confirmed it
 * ({@code saved N}), then goes on from the position it found. With the argument {@code kafka} it uses Kafka's
 * {@code FileOffsetBackingStore} instead, the store the runner used before, for comparison.
 */
public final class SavingProcess {

    static final ByteBuffer KEY = utf8("[\"saver\",{\"server\":\"kill-test\"}]");

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean kafkaStore = args.length > 1 && "kafka".equals(args[1]);
        long next;
        try {
            Long found = kafkaStore ? KafkaFileStore.load(file) : positionIn(PositionFile.read(file));
            System.out.println(found == null ? "loaded none" : "loaded " + found);
            next = found == null ? 1 : found + 1;
        } catch (UnreadablePositionException e) {
            System.out.println("unreadable " + e.getMessage());
            System.out.flush();
            return;
        } catch (RuntimeException e) {
            // Kafka's store refuses a cut serialised map (other than one cut to nothing): start over, as a user must.
            System.out.println("unreadable " + e);
            System.out.flush();
            Files.delete(file);
            next = 1;
        }
        System.out.flush();
        OffsetBackingStore store = kafkaStore ? KafkaFileStore.create() : new CrashSafeOffsetStore();
        store.configure(new StandaloneConfig(Map.of(
                CrashSafeOffsetStore.FILE_CONFIG, file.toString(),
                "bootstrap.servers", "127.0.0.1:1",
                "key.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter")));
        store.start();
        while (true) {
            // Values of varying length, so that a cut write could not pass for a whole one by chance.
            String value = "{\"lsn\":" + next + ",\"pad\":\"" + "x".repeat((int) (next % 97)) + "\"}";
            store.set(Map.of(KEY.duplicate(), utf8(value)), null).get(10, TimeUnit.SECONDS);
            System.out.println("saved " + next);
            System.out.flush();
            next++;
            Thread.sleep(1);
        }
    }

    static Long positionIn(PositionFile.Stored stored) {
        return stored == null ? null : positionIn(stored.offsets().get(KEY.duplicate()));
    }

    static Long positionIn(ByteBuffer value) {
        if (value == null) {
            return null;
        }
        String text = StandardCharsets.UTF_8.decode(value.duplicate()).toString();
        return Long.parseLong(text.substring(text.indexOf(':') + 1, text.indexOf(',')));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
