package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    @Test
    void backoffDoublesWithJitterAndStaysUnderItsCap() {
        RetryBackoff backoff = new RetryBackoff(10, 100, 1_000);
        for (int i = 0; i < 50; i++) {
            assertThat(backoff.delayMs(1)).isBetween(100L, 150L);
            assertThat(backoff.delayMs(3)).isBetween(400L, 600L);
            assertThat(backoff.delayMs(20)).isEqualTo(1_000L);
        }
    }
}
