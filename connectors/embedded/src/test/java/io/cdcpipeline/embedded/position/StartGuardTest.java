package io.cdcpipeline.embedded.position;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.position.PositionCheck.Kind;
import io.cdcpipeline.core.position.ReplicationSlot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the runner's start check decides from its position file and the slot, and what it leaves in the file. */
class StartGuardTest {

    private static final ReplicationSlot SLOT = new ReplicationSlot("cdc", true, "shop", 1_000L, "reserved");
    private static final ReplicationSlot NO_SLOT = ReplicationSlot.missing("cdc");

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void store(Path file, String offset) throws Exception {
        PositionFile.write(file, PositionFile.Stored.initial("cdc").withOffsets(Map.of(
                utf8("[\"orders\",{\"server\":\"shop\"}]"), utf8(offset))));
    }

    @Test
    void aFirstStartWritesItsMarkBeforeTheEngineMakesTheSlot(@TempDir Path dir) {
        Path file = dir.resolve("p.position");
        StartGuard.Decision decision = StartGuard.decide(file, "orders", NO_SLOT, false, "initial");
        assertThat(decision.verdict().kind()).isEqualTo(Kind.FIRST_START);
        PositionFile.Stored mark = PositionFile.read(file);
        assertThat(mark.hasOffsets()).isFalse();
        assertThat(mark.slot()).isEqualTo("cdc");
        // Killed before anything was stored: the slot it made is expected, the snapshot is taken again.
        assertThat(StartGuard.decide(file, "orders", SLOT, false, "initial").verdict().kind())
                .isEqualTo(Kind.RETAKE_FIRST_SNAPSHOT);
    }

    @Test
    void anOffsetWithoutPositionIsReplacedSoTheEngineDoesNotSkipItsSnapshot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.position");
        store(file, "{}");
        assertThat(StartGuard.decide(file, "orders", SLOT, false, "initial").verdict().kind())
                .isEqualTo(Kind.RETAKE_FIRST_SNAPSHOT);
        assertThat(PositionFile.read(file).hasOffsets()).as("the empty offset is gone from the file").isFalse();
    }

    @Test
    void aStreamingPositionResumesAndIsLeftAsItIs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.position");
        store(file, "{\"lsn_proc\":2000,\"lsn\":2000,\"lsn_commit\":1990,\"txId\":7}");
        assertThat(StartGuard.decide(file, "orders", SLOT, false, "initial").verdict().kind()).isEqualTo(Kind.RESUME);
        assertThat(PositionFile.read(file).sequence()).isEqualTo(1);
    }

    @Test
    void aLostPositionIsRefusedUnlessANewSnapshotIsAskedFor(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.position");
        assertThatThrownBy(() -> StartGuard.decide(file, "orders", SLOT, false, "initial"))
                .isInstanceOf(PositionRefusedException.class).hasMessageContaining("--resnapshot");
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> StartGuard.decide(file, "orders", SLOT, true, "never"))
                .isInstanceOf(PositionRefusedException.class).hasMessageContaining("snapshot.mode is never");

        store(file, "{\"lsn_proc\":2000,\"lsn\":2000}");
        StartGuard.Decision decision = StartGuard.decide(file, "orders", NO_SLOT, true, "initial");
        assertThat(decision.verdict().kind()).isEqualTo(Kind.SLOT_LOST);
        assertThat(decision.resnapshot()).isTrue();
        assertThat(decision.movedAside()).exists();
        assertThat(PositionFile.read(decision.movedAside()).hasOffsets()).as("the old position, kept").isTrue();
        assertThat(PositionFile.read(file).hasOffsets()).as("a new start without a position").isFalse();
    }

    @Test
    void aDamagedFileIsMovedAsideOnlyWhenANewSnapshotIsAskedFor(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.position");
        Files.writeString(file, "{\"format\": \"cdc-pipeline-pos");
        assertThatThrownBy(() -> StartGuard.decide(file, "orders", SLOT, false, "initial"))
                .isInstanceOf(UnreadablePositionException.class).hasMessageContaining(file.toString());
        StartGuard.Decision decision = StartGuard.decide(file, "orders", SLOT, true, "initial");
        assertThat(Files.readString(decision.movedAside())).startsWith("{\"format\": \"cdc-pipeline-pos");
    }
}
