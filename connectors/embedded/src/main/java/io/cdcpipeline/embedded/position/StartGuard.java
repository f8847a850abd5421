package io.cdcpipeline.embedded.position;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.core.position.PositionCheck;
import io.cdcpipeline.core.position.ReplicationSlot;
import io.cdcpipeline.core.position.SourceOffset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before the engine starts, whether the runner may go on from what its position file holds, judged against
 * the replication slot ({@link PositionCheck}). A safe start goes ahead (and a first start writes the file before the
 * engine creates its slot, so that a crash in the initial snapshot is later known for what it was). An unsafe one is
 * refused with the reason, unless the user asked for a new snapshot ({@code --resnapshot}): then the old file is
 * kept aside and the engine starts without a position, so Debezium takes a new snapshot; the sinks remove the rows
 * that snapshot did not send again when it completes.
 */
public final class StartGuard {

    private static final Logger LOG = LoggerFactory.getLogger(StartGuard.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Snapshot modes under which an engine without a stored position takes a snapshot. */
    private static final Set<String> SNAPSHOTTING_MODES = Set.of("initial", "always", "when_needed", "initial_only");

    /**
     * What the guard decided.
     *
     * @param verdict     the check of the stored position against the slot
     * @param resnapshot  true when a new snapshot was asked for and the old position moved aside
     * @param movedAside  where the old file went, or null
     */
    public record Decision(PositionCheck.Verdict verdict, boolean resnapshot, Path movedAside) {
    }

    private StartGuard() {
    }

    /**
     * @param file         the position file
     * @param engineName   the runner's name: the engine keys its offsets by it
     * @param slot         the connector's replication slot as Postgres shows it now
     * @param resnapshot   whether the user asked for a new snapshot
     * @param snapshotMode the source's {@code snapshot.mode}
     * @throws PositionRefusedException when starting would lose changes silently and no new snapshot was asked for
     */
    public static Decision decide(Path file, String engineName, ReplicationSlot slot, boolean resnapshot,
            String snapshotMode) {
        PositionFile.Stored stored;
        try {
            stored = PositionFile.read(file);
        } catch (UnreadablePositionException e) {
            if (!resnapshot) {
                throw e;
            }
            stored = null; // the user chose a new snapshot over the damaged file, which is kept aside below
        }
        SourceOffset offset = stored == null ? null : offsetOf(stored, engineName);
        // A file without any offset is the mark an earlier first start left before its engine made the slot; so is one
        // whose offset holds no position yet (committed for a notification before the snapshot had one).
        boolean startedHere = stored != null && (!stored.hasOffsets() || (offset != null && !offset.hasPosition()));
        PositionCheck.Verdict verdict = PositionCheck.check(offset, startedHere, slot);
        if (resnapshot) {
            if (!SNAPSHOTTING_MODES.contains(snapshotMode)) {
                throw new PositionRefusedException("--resnapshot needs a snapshot.mode that snapshots when no position "
                        + "is stored (initial, always, when_needed); source.snapshot.mode is " + snapshotMode);
            }
            Path aside = Files.exists(file) ? moveAside(file) : null;
            writeMark(file, slot.name());
            LOG.warn("Snapshot requested (--resnapshot): {}; {}taking a new snapshot; when it completes, rows in the "
                    + "sinks it did not send again are removed", verdict.reason(),
                    aside == null ? "" : "the old position is kept in " + aside + "; ");
            return new Decision(verdict, true, aside);
        }
        if (!verdict.safe()) {
            throw new PositionRefusedException("refusing to start: " + verdict.reason() + ". Position file: "
                    + file.toAbsolutePath() + ". To take a new snapshot, start with --resnapshot: the sinks then "
                    + "remove the rows the snapshot does not send again. Or restore the position file");
        }
        if (stored == null || (offset != null && !offset.hasPosition())) {
            // Also replaces an offset without a position, which the engine would take for a completed snapshot.
            writeMark(file, stored != null && stored.slot() != null ? stored.slot() : slot.name());
        }
        LOG.info("Start ({}): {}", verdict.kind(), verdict.reason());
        return new Decision(verdict, false, null);
    }

    /** The engine's offset for this runner: the value of the key whose engine name is {@code engineName}. */
    public static SourceOffset offsetOf(PositionFile.Stored stored, String engineName) {
        for (Map.Entry<ByteBuffer, ByteBuffer> entry : stored.offsets().entrySet()) {
            try {
                JsonNode key = JSON.readTree(StandardCharsets.UTF_8.decode(entry.getKey().duplicate()).toString());
                if (entry.getValue() == null || !key.isArray() || !engineName.equals(key.path(0).asText())) {
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> value = JSON.readValue(StandardCharsets.UTF_8.decode(entry.getValue().duplicate())
                        .toString(), Map.class);
                return SourceOffset.of(value);
            } catch (IOException e) {
                throw new PositionRefusedException("the position file holds an offset that is not JSON: " + e.getMessage());
            }
        }
        return null;
    }

    private static void writeMark(Path file, String slot) {
        try {
            PositionFile.write(file, PositionFile.Stored.initial(slot));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the position file " + file, e);
        }
    }

    private static Path moveAside(Path file) {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path aside = file.resolveSibling(file.getFileName() + ".before-resnapshot-" + stamp);
        try {
            Files.move(file, aside);
            return aside;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the position file " + file + " aside to " + aside, e);
        }
    }
}
