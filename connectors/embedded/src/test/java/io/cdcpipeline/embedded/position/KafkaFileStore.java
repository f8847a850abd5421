package io.cdcpipeline.embedded.position;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;

/** Kafka's own file offset store, loaded the way the engine loads it: the comparison for {@link PositionStoreKillIT}. */
final class KafkaFileStore {

    private KafkaFileStore() {
    }

    static FileOffsetBackingStore create() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), true);
        return new FileOffsetBackingStore(converter);
    }

    /** The saved position as the engine would see it on start; null when Kafka's store finds none. */
    static Long load(Path file) throws Exception {
        FileOffsetBackingStore store = create();
        store.configure(new StandaloneConfig(Map.of(CrashSafeOffsetStore.FILE_CONFIG, file.toString(),
                "bootstrap.servers", "127.0.0.1:1",
                "key.converter", "org.apache.kafka.connect.json.JsonConverter",
                "value.converter", "org.apache.kafka.connect.json.JsonConverter")));
        store.start();
        try {
            ByteBuffer value = store.get(List.of(SavingProcess.KEY.duplicate())).get(10, TimeUnit.SECONDS)
                    .get(SavingProcess.KEY.duplicate());
            return SavingProcess.positionIn(value);
        } finally {
            store.stop();
        }
    }
}
