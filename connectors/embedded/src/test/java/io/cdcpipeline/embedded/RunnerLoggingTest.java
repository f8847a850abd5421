package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * The runner's own logback.xml (what bin/cdc run logs with) is valid and sets what it says. It once held "--" in a
 * comment, which XML forbids: logback refused the file and the runner logged nothing of its own, unnoticed while
 * the test kit's logback-test.xml was on the runner's classpath.
 */
class RunnerLoggingTest {

    @Test
    void theRunnersLoggingConfigurationParsesAndSetsItsLevels() throws Exception {
        URL config = RunnerMain.class.getResource("/logback.xml");
        assertThat(config).as("logback.xml beside the runner's classes").isNotNull();
        assertThat(config.toString()).contains("connectors/embedded/target/classes");
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);

        int worst = context.getStatusManager().getCopyOfStatusList().stream().mapToInt(Status::getLevel).max()
                .orElse(Status.INFO);
        assertThat(worst).as("logback's worst status reading the file: "
                + context.getStatusManager().getCopyOfStatusList()).isLessThan(Status.WARN);
        assertThat(context.getLogger("io.cdcpipeline").getLevel()).isEqualTo(Level.INFO);
        assertThat(context.getLogger("io.debezium").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("ROOT").getAppender("out")).isNotNull();
    }
}
