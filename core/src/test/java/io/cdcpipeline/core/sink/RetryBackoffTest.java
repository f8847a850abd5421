package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private static final RetryBackoff NO_WAIT = new RetryBackoff(3, 0, 0);

    /** Retries IllegalStateException, turns UnsupportedOperationException into a pause, throws anything else. */
    private static RetryBackoff.Failures failures(AtomicInteger retries) {
        return new RetryBackoff.Failures() {
            @Override
            public RuntimeException notRetried(RuntimeException failure) {
                if (failure instanceof IllegalStateException) {
                    return null;
                }
                return failure instanceof UnsupportedOperationException ? new TargetUnavailableException("paused",
                        failure) : failure;
            }

            @Override
            public void retrying(RuntimeException failure) {
                retries.incrementAndGet();
            }
        };
    }

    @Test
    void backoffDoublesWithJitterAndStaysUnderItsCap() {
        RetryBackoff backoff = new RetryBackoff(10, 100, 1_000);
        for (int i = 0; i < 50; i++) {
            assertThat(backoff.delayMs(1)).isBetween(100L, 150L);
            assertThat(backoff.delayMs(3)).isBetween(400L, 600L);
            assertThat(backoff.delayMs(20)).isEqualTo(1_000L);
        }
    }

    @Test
    void aRetriableFailureIsTriedAgainUntilItWorks() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        String result = NO_WAIT.call("query", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("connection refused");
            }
            return "answer";
        }, failures(retries));
        assertThat(result).isEqualTo("answer");
        assertThat(retries).hasValue(2);
    }

    @Test
    void whenTheAttemptsAreUsedUpTheBatchIsGivenBackToConnect() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> NO_WAIT.run("insert of 10 rows into t", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("connection refused");
        }, failures(new AtomicInteger()))).isInstanceOf(RetriableException.class)
                .hasMessage("insert of 10 rows into t failed 3 times; giving the batch back to be delivered again. "
                        + "Last failure: connection refused");
        assertThat(calls).hasValue(3);
    }

    @Test
    void otherFailuresAreThrownAtOnceAsTheTargetSays() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> NO_WAIT.run("ddl", () -> {
            calls.incrementAndGet();
            throw new UnsupportedOperationException("read-only");
        }, failures(new AtomicInteger()))).isInstanceOf(TargetUnavailableException.class).hasMessage("paused");
        assertThatThrownBy(() -> NO_WAIT.run("ddl", () -> {
            calls.incrementAndGet();
            throw new ConnectException("syntax error");
        }, failures(new AtomicInteger()))).isInstanceOf(ConnectException.class).hasMessage("syntax error");
        assertThat(calls).as("neither retried").hasValue(2);
    }
}
