package io.cdcpipeline.core.position;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.position.PositionCheck.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PositionCheckTest {

    private static final ReplicationSlot NO_SLOT = ReplicationSlot.missing("cdc");

    private static ReplicationSlot slot(long confirmed) {
        return new ReplicationSlot("cdc", true, "shop", confirmed, "reserved");
    }

    private static SourceOffset streaming(long lsn) {
        return SourceOffset.of(Map.of("lsn", lsn, "lsn_proc", lsn, "lsn_commit", lsn - 10, "txId", 7));
    }

    @Test
    void firstStartWithoutPositionOrSlot() {
        assertThat(PositionCheck.check(null, false, NO_SLOT).kind()).isEqualTo(Kind.FIRST_START);
        assertThat(PositionCheck.check(null, true, NO_SLOT).kind()).isEqualTo(Kind.FIRST_START);
    }

    @Test
    void slotWithoutPositionIsALostPositionUnlessTheRunnerMadeItInAnUnfinishedFirstStart() {
        PositionCheck.Verdict lost = PositionCheck.check(null, false, slot(0x1_0000_0000L));
        assertThat(lost.kind()).isEqualTo(Kind.POSITION_LOST);
        assertThat(lost.safe()).isFalse();
        assertThat(lost.reason()).contains("'cdc'", "confirmed up to 1/0", "position was lost");
        assertThat(PositionCheck.check(null, true, slot(100)).kind()).isEqualTo(Kind.RETAKE_FIRST_SNAPSHOT);
    }

    @Test
    void resumesWhenTheSlotIsNotAheadOfTheStoredPosition() {
        PositionCheck.Verdict verdict = PositionCheck.check(streaming(500), false, slot(490));
        assertThat(verdict.kind()).isEqualTo(Kind.RESUME);
        assertThat(verdict.reason()).contains("LSN 0/1F4");
        assertThat(PositionCheck.check(streaming(500), false, slot(500)).kind()).isEqualTo(Kind.RESUME);
    }

    @Test
    void slotAheadOfTheStoredPositionIsRefused() {
        PositionCheck.Verdict verdict = PositionCheck.check(streaming(500), false, slot(501));
        assertThat(verdict.kind()).isEqualTo(Kind.SLOT_AHEAD);
        assertThat(verdict.safe()).isFalse();
    }

    @Test
    void storedPositionWithoutUsableSlotIsRefused() {
        assertThat(PositionCheck.check(streaming(500), false, NO_SLOT).kind()).isEqualTo(Kind.SLOT_LOST);
        PositionCheck.Verdict invalidated = PositionCheck.check(streaming(500), false,
                new ReplicationSlot("cdc", true, "shop", 400L, "lost"));
        assertThat(invalidated.kind()).isEqualTo(Kind.SLOT_LOST);
        assertThat(invalidated.reason()).contains("invalidated");
    }

    @Test
    void positionInsideTheInitialSnapshotRestartsIt() {
        SourceOffset inSnapshot = SourceOffset.of(Map.of("lsn", 500L, "snapshot", true, "last_snapshot_record", false));
        assertThat(inSnapshot.snapshotInProgress()).isTrue();
        assertThat(PositionCheck.check(inSnapshot, false, slot(400)).kind()).isEqualTo(Kind.RESTART_SNAPSHOT);
        assertThat(PositionCheck.check(inSnapshot, false, NO_SLOT).kind()).isEqualTo(Kind.RESTART_SNAPSHOT);
        SourceOffset lastRead = SourceOffset.of(Map.of("lsn", 500L, "snapshot", true, "last_snapshot_record", true));
        assertThat(lastRead.snapshotInProgress()).as("the offset of the snapshot's last read: complete").isFalse();
        assertThat(PositionCheck.check(lastRead, false, slot(500)).kind()).isEqualTo(Kind.RESUME);
    }

    @Test
    void anOffsetWithoutAnyPositionCountsAsNone() {
        SourceOffset empty = SourceOffset.of(Map.of());
        assertThat(empty.hasPosition()).isFalse();
        assertThat(PositionCheck.check(empty, false, NO_SLOT).kind()).isEqualTo(Kind.FIRST_START);
        assertThat(PositionCheck.check(empty, true, slot(100)).kind()).isEqualTo(Kind.RETAKE_FIRST_SNAPSHOT);
        PositionCheck.Verdict lost = PositionCheck.check(empty, false, slot(100));
        assertThat(lost.kind()).isEqualTo(Kind.POSITION_LOST);
        assertThat(lost.reason()).contains("holds no position").contains("skip the snapshot");
    }

    @Test
    void lsnTextRoundTrips() {
        assertThat(Lsn.parse("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(Lsn.format(0x16B374D848L)).isEqualTo("16/B374D848");
        assertThat(Lsn.parse(null)).isNull();
    }
}
