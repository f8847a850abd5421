package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ProbeFailuresTest {

    @Test
    void aPartFailingEveryRoundIsLoggedOnceThenOnReasonChangeAndOnRecoveryButCountedEveryTime() {
        Logger logger = (Logger) LoggerFactory.getLogger("ProbeFailuresTest");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        ProbeFailures failures = new ProbeFailures(logger);

        for (int i = 0; i < 100; i++) {
            failures.failed("slot", "reading replication slot cdc", new IOException("connection refused"));
        }
        failures.failed("slot", "reading replication slot cdc", new IOException("password authentication failed"));
        failures.worked("slot", "reading replication slot cdc");
        failures.worked("slot", "reading replication slot cdc");
        failures.worked("sink:search", "reading sink search");

        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "Lag monitor: reading replication slot cdc failed: connection refused (logged again only when the "
                        + "reason changes or it recovers)",
                "Lag monitor: reading replication slot cdc failed: password authentication failed (logged again only "
                        + "when the reason changes or it recovers)",
                "Lag monitor: reading replication slot cdc works again");
        assertThat(failures.counts()).containsExactly(Map.entry("slot", 101L));
    }
}
