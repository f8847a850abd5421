package io.cdcpipeline.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ReliabilityCase.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReliabilityReportTest {

    @Test
    void figuresCountEachKindAndSumTheRowsCompared() {
        String page = ReliabilityReport.render(List.of(
                new ReliabilityReport.Row(Kind.FAULT, "ClickHouse down", "embedded", "resume", "equal", 300, "A.a"),
                new ReliabilityReport.Row(Kind.FAULT, "Postgres restart", "embedded", "resume", "equal", 200, "A.b"),
                new ReliabilityReport.Row(Kind.BAD_INPUT, "bad url", "Connect", "refused", "message", -1, "B.c")),
                List.of(new ReliabilityReport.LongPage("The runner under SIGKILL", "reliability/runner-kills.md")), "2026-11-30");

        assertThat(page).contains("| 2 | 1 | 0 | 500 | 0 |")
                .contains("- [The runner under SIGKILL](reliability/runner-kills.md)")
                .contains("| 3 | bad url | Connect | refused | message | n/a | `B.c` |");
        assertThat(page.indexOf("## Faults")).isLessThan(page.indexOf("## Bad input"));
    }

    @Test
    void aPipeInATextDoesNotSplitTheTableCell() {
        String page = ReliabilityReport.render(List.of(new ReliabilityReport.Row(Kind.BAD_INPUT, "route a|b",
                "embedded", "refused", "said 'a|b'\nand more", -1, "T.t")), List.of(), "2026-11-30");

        assertThat(page).contains("| 1 | route a\\|b | embedded | refused | said 'a\\|b' and more | n/a | `T.t` |");
    }
}
