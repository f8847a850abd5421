package io.cdcpipeline.embedded.position;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The file that holds the runner's source position: Debezium's offsets (JSON keys and values, as its engine writes
 * them) and the replication slot they belong to.
 * <p>
 * Every write is atomic and durable: the new content goes to a temporary file beside the old one, is forced to disk,
 * renamed over the old one and the folder is forced too. A crash at any instant therefore leaves either the previous
 * complete file or the new complete file, never a cut one (Kafka's {@code FileOffsetBackingStore} rewrites its file
 * in place, so a kill during a save leaves it empty, and its reader takes that for "no position").
 * <p>
 * A file that exists but cannot be read (cut, corrupt, checksum wrong, unknown format) is never taken for "no
 * position": {@link #read} throws an {@link UnreadablePositionException} that names the file and the choices.
 * Files written by Kafka's {@code FileOffsetBackingStore} (Java serialisation) are still read, so a runner upgraded
 * in place resumes where it stopped; the next save writes this format.
 */
public final class PositionFile {

    static final String FORMAT = "cdc-pipeline-position";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] JAVA_SERIALISATION_MAGIC = {(byte) 0xAC, (byte) 0xED};

    private PositionFile() {
    }

    /**
     * What a position file holds.
     *
     * @param offsets  Debezium's offsets, key to value (JSON bytes); empty until the engine first stored a position
     * @param slot     the replication slot the runner started with when it first wrote the file; null in files from
     *                 Kafka's store
     * @param created  when the runner first wrote the file (its first start with this position)
     * @param sequence how many times it was saved; grows by one per save
     */
    public record Stored(Map<ByteBuffer, ByteBuffer> offsets, String slot, Instant created, long sequence) {

        public Stored {
            offsets = Collections.unmodifiableMap(new LinkedHashMap<>(offsets));
        }

        /** A file for a runner starting without any position, before the engine creates its slot. */
        public static Stored initial(String slot) {
            return new Stored(Map.of(), slot, Instant.now(), 0);
        }

        public Stored withOffsets(Map<ByteBuffer, ByteBuffer> newOffsets) {
            return new Stored(newOffsets, slot, created, sequence + 1);
        }

        public boolean hasOffsets() {
            return !offsets.isEmpty();
        }
    }

    /** The file's content, or null if there is no file. */
    public static Stored read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UnreadablePositionException(file, "it cannot be read (" + e.getMessage() + ")", e);
        }
        if (bytes.length >= 2 && bytes[0] == JAVA_SERIALISATION_MAGIC[0] && bytes[1] == JAVA_SERIALISATION_MAGIC[1]) {
            return readKafkaFormat(file, bytes);
        }
        return readJson(file, bytes);
    }

    private static Stored readJson(Path file, byte[] bytes) {
        if (bytes.length == 0) {
            throw new UnreadablePositionException(file, "it is empty", null);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UnreadablePositionException(file, "it is not a complete JSON document ("+ e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new UnreadablePositionException(file, "it is not a position file (no \"format\": \"" + FORMAT
                    + "\")", null);
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new UnreadablePositionException(file, "its format version " + root.path("version")
                    + " is not one this runner reads (" + VERSION + "); was it written by a newer runner?", null);
        }
        Map<ByteBuffer, ByteBuffer> offsets = new LinkedHashMap<>();
        CRC32 crc = new CRC32();
        for (JsonNode entry : root.path("offsets")) {
            String key = entry.path("key").asText(null);
            String value = entry.path("value").isNull() ? null : entry.path("value").asText(null);
            if (key == null) {
                throw new UnreadablePositionException(file, "an offset entry has no key", null);
            }
            update(crc, key, value);
            offsets.put(utf8(key), value == null ? null : utf8(value));
        }
        String expected = HexFormat.of().toHexDigits((int) crc.getValue());
        if (!expected.equals(root.path("checksum").asText())) {
            throw new UnreadablePositionException(file, "its checksum " + root.path("checksum") + " does not match its "
                    + "offsets (" + expected + "): the file was changed or damaged", null);
        }
        String slot = root.path("slot").isTextual() ? root.path("slot").asText() : null;
        Instant created = root.path("created").isTextual() ? Instant.parse(root.path("created").asText()) : null;
        return new Stored(offsets, slot, created, root.path("sequence").asLong(0));
    }

    /** Kafka's FileOffsetBackingStore: a serialised HashMap of byte arrays. Nothing else is let in. */
    private static Stored readKafkaFormat(Path file, byte[] bytes) {
        try (InputStream in = new ByteArrayInputStream(bytes); ObjectInputStream objects = new ObjectInputStream(in)) {
            objects.setObjectInputFilter(ObjectInputFilter.Config.createFilter(
                    "java.util.HashMap;java.util.Map$Entry;byte[];maxdepth=4;!*"));
            Object read = objects.readObject();
            if (!(read instanceof Map<?, ?> raw)) {
                throw new UnreadablePositionException(file, "it holds no map of offsets", null);
            }
            Map<ByteBuffer, ByteBuffer> offsets = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : raw.entrySet()) {
                offsets.put(ByteBuffer.wrap((byte[]) entry.getKey()),
                        entry.getValue() == null ? null : ByteBuffer.wrap((byte[]) entry.getValue()));
            }
            return new Stored(offsets, null, null, 0);
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new UnreadablePositionException(file, "it looks like a Kafka offsets file but is cut or damaged ("
                    + e + ")", e);
        }
    }

    /** Replaces the file atomically and durably with {@code stored}. */
    public static void write(Path file, Stored stored) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("saved_at", Instant.now().toString());
        root.put("sequence", stored.sequence());
        if (stored.slot() != null) {
            root.put("slot", stored.slot());
        }
        if (stored.created() != null) {
            root.put("created", stored.created().toString());
        }
        ArrayNode entries = root.putArray("offsets");
        CRC32 crc = new CRC32();
        for (Map.Entry<ByteBuffer, ByteBuffer> entry : stored.offsets().entrySet()) {
            String key = text(entry.getKey());
            String value = entry.getValue() == null ? null : text(entry.getValue());
            update(crc, key, value);
            ObjectNode node = entries.addObject();
            node.put("key", key);
            node.put("value", value);
        }
        root.put("checksum", HexFormat.of().toHexDigits((int) crc.getValue()));
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + dir + " cannot rename atomically, so the position cannot be "
                    + "saved crash-safely there; choose another offset.storage.file", e);
        }
        // The rename is durable only once the folder's entry is on disk.
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    private static void update(CRC32 crc, String key, String value) {
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        crc.update(0);
        if (value != null) {
            crc.update(value.getBytes(StandardCharsets.UTF_8));
        }
        crc.update('\n');
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Offsets are JSON written by the engine's converter, so always UTF-8; anything else is refused, not mangled. */
    private static String text(ByteBuffer buffer) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buffer.duplicate()).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("an offset is not UTF-8 text; the position store keeps JSON offsets only",
                    e);
        }
    }
}
