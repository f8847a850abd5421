package io.cdcpipeline.sink.clickhouse;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.kafka.connect.errors.ConnectException;
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
                if (failure.kind() != ClickHouseFailure.Kind.RETRIABLE) {
                    throw failure;
                }
                if (attempt >= maxAttempts) {
                    throw new RetriableException(what + " failed " + attempt + " times; giving the batch back to be "
                            + "delivered again. Last failure: " + failure.getMessage(), failure);
                }
                long wait = delayMs(attempt);
                LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, maxAttempts, wait,
                        failure.getMessage());
                listener.retrying(failure);
                sleep(wait);
            }
        }
    }

    void run(String what, Runnable call, Listener listener) {
        call(what, () -> {
            call.run();
            return null;
        }, listener);
    }

    /** The wait after failed attempt {@code attempt} (1-based): doubling, capped, plus up to half again of jitter. */
    long delayMs(int attempt) {
        long base = Math.min(maxMs, initialMs << Math.min(attempt - 1, 30));
        long jitter = base / 2 == 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 2 + 1);
        return Math.min(maxMs, base + jitter);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while waiting to retry", e);
        }
    }
}
