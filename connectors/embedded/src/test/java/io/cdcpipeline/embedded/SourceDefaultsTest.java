package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The runner's Debezium defaults: given where the file is silent, never over what it says. */
class SourceDefaultsTest {

    @Test
    void defaultsFillOnlyWhatThePipelineFileLeavesOut() {
        Properties props = new Properties();
        props.setProperty(SourceDefaults.POLL_INTERVAL_MS, "500");
        props.setProperty(SourceDefaults.SKIPPED_OPERATIONS, "t");
        SourceDefaults.apply(props);
        assertThat(props.getProperty(SourceDefaults.POLL_INTERVAL_MS)).isEqualTo("500");
        assertThat(props.getProperty(SourceDefaults.SKIPPED_OPERATIONS)).isEqualTo("t");
        assertThat(Integer.parseInt(props.getProperty(SourceDefaults.MAX_QUEUE_SIZE)))
                .as("Debezium refuses a queue not larger than the batch")
                .isGreaterThan(Integer.parseInt(props.getProperty(SourceDefaults.MAX_BATCH_SIZE)));
        assertThat(Long.parseLong(props.getProperty(SourceDefaults.MAX_QUEUE_SIZE_IN_BYTES))).isPositive();
    }
}
