package io.cdcpipeline.embedded.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionFileTest {

    private static final String KEY = "[\"orders\",{\"server\":\"shop\"}]";
    private static final String VALUE = "{\"lsn_proc\":123,\"lsn\":123,\"txId\":9}";

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writesAndReadsOffsetsWithTheirSlotAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/orders.position");
        PositionFile.write(file, PositionFile.Stored.initial("cdc_shop").withOffsets(Map.of(utf8(KEY), utf8(VALUE))));
        PositionFile.Stored read = PositionFile.read(file);
        assertThat(read.slot()).isEqualTo("cdc_shop");
        assertThat(read.sequence()).isEqualTo(1);
        assertThat(StandardCharsets.UTF_8.decode(read.offsets().get(utf8(KEY)).duplicate()).toString()).isEqualTo(VALUE);
        assertThat(Files.list(file.getParent()).map(p -> p.getFileName().toString())).containsExactly("orders.position");
    }

    @Test
    void missingFileIsNoPosition(@TempDir Path dir) {
        assertThat(PositionFile.read(dir.resolve("none"))).isNull();
    }

    @Test
    void emptyCutOrAlteredFilesAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.position");
        PositionFile.write(file, PositionFile.Stored.initial("s").withOffsets(Map.of(utf8(KEY), utf8(VALUE))));
        String whole = Files.readString(file);

        Files.writeString(file, "");
        assertThatThrownBy(() -> PositionFile.read(file)).isInstanceOf(UnreadablePositionException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("it is empty")
                .hasMessageContaining("--resnapshot");
        Files.writeString(file, whole.substring(0, whole.length() / 2));
        assertThatThrownBy(() -> PositionFile.read(file)).isInstanceOf(UnreadablePositionException.class)
                .hasMessageContaining("not a complete JSON document");
        Files.writeString(file, whole.replace("123", "124"));
        assertThatThrownBy(() -> PositionFile.read(file)).isInstanceOf(UnreadablePositionException.class)
                .hasMessageContaining("checksum");
        Files.writeString(file, "{\"something\": 1}");
        assertThatThrownBy(() -> PositionFile.read(file)).isInstanceOf(UnreadablePositionException.class)
                .hasMessageContaining("not a position file");
    }

    @Test
    void readsKafkasFileOffsetBackingStoreFormatSoAnUpgradedRunnerResumes(@TempDir Path dir) throws Exception {
        HashMap<byte[], byte[]> raw = new HashMap<>();
        raw.put(KEY.getBytes(StandardCharsets.UTF_8), VALUE.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(raw);
        }
        Path file = dir.resolve("kafka.offsets");
        Files.write(file, bytes.toByteArray());
        PositionFile.Stored read = PositionFile.read(file);
        assertThat(StandardCharsets.UTF_8.decode(read.offsets().get(utf8(KEY)).duplicate()).toString()).isEqualTo(VALUE);
        assertThat(StartGuard.offsetOf(read, "orders").lsnProc()).isEqualTo(123L);

        byte[] cut = Arrays.copyOf(bytes.toByteArray(), bytes.size() - 5);
        Files.write(file, cut);
        assertThatThrownBy(() -> PositionFile.read(file)).isInstanceOf(UnreadablePositionException.class)
                .hasMessageContaining("Kafka offsets file but is cut or damaged");
    }
}
