package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.RetryBackoff;
import java.util.function.Supplier;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries calls that fail for a retriable reason with exponential backoff and jitter (so many tasks hitting one
 * recovering server do not retry in lockstep). When the attempts are used up the failure becomes Connect's
 * {@link RetriableException}: the task lives on and the batch is delivered again.
 *
 * @param maxAttempts attempts in all, the first included
 * @param initialMs   the wait after the first failure
 * @param maxMs       the longest wait
 */
record Backoff(int maxAttempts, long initialMs, long maxMs) {

    private RetryBackoff delays() {
        return new RetryBackoff(maxAttempts, initialMs, maxMs);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Backoff.class);

    /** Observes retries, for metrics. */
    interface Listener {
        void retrying(ClickHouseFailure failure);
    }

    <T> T call(String what, Supplier<T> call, Listener listener) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ClickHouseFailure failure) {
                if (failure.kind() == ClickHouseFailure.Kind.UNAVAILABLE) {
                    throw failure.asPause();
                }
                if (failure.kind() != ClickHouseFailure.Kind.RETRIABLE) {
                    throw failure;
                }
                if (attempt >= maxAttempts) {
                    throw new RetriableException(what + " failed " + attempt + " times; giving the batch back to be "
                            + "delivered again. Last failure: " + failure.getMessage(), failure);
                }
                LOG.warn("{} failed (attempt {} of {}), retrying: {}", what, attempt, maxAttempts, failure.getMessage());
                listener.retrying(failure);
                delays().pause(attempt);
            }
        }
    }

    void run(String what, Runnable call, Listener listener) {
        call(what, () -> {
            call.run();
            return null;
        }, listener);
    }
}
