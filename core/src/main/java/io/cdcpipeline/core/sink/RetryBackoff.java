package io.cdcpipeline.core.sink;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exponential backoff with jitter, so many tasks hitting one recovering server do not retry in lockstep: the wait
 * after failed attempt n is {@code min(max, initial * 2^(n-1))} plus up to half of it again, capped at {@code max}.
 *
 * @param maxAttempts attempts in all, the first included
 * @param initialMs   the wait after the first failure
 * @param maxMs       the longest wait
 */
public record RetryBackoff(int maxAttempts, long initialMs, long maxMs) {

    private static final Logger LOG = LoggerFactory.getLogger(RetryBackoff.class);

    /** How a target's failures are handled: which are retried, what the others become, who hears of a retry. */
    public interface Failures {

        /** Null to retry {@code failure}; otherwise what to throw instead of retrying (itself, or a pause). */
        RuntimeException notRetried(RuntimeException failure);

        /** Called before each retry (metrics). */
        void retrying(RuntimeException failure);
    }

    /** The wait after failed attempt {@code attempt} (1-based). */
    public long delayMs(int attempt) {
        long base = Math.min(maxMs, initialMs << Math.min(attempt - 1, 30));
        long jitter = base / 2 == 0 ? 0 : ThreadLocalRandom.current().nextLong(base / 2 + 1);
        return Math.min(maxMs, base + jitter);
    }

    /** Sleeps the wait after failed attempt {@code attempt}; an interrupt becomes a ConnectException. */
    public void pause(int attempt) {
        try {
            Thread.sleep(delayMs(attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while waiting to retry", e);
        }
    }

    /**
     * Runs {@code call}; a failure {@code failures} retries is tried again after the wait, up to {@link #maxAttempts}
     * in all, and then becomes Connect's {@link RetriableException}: the task lives on and the batch is delivered
     * again. Any other failure is thrown as {@code failures} says.
     */
    public <T> T call(String what, Supplier<T> call, Failures failures) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException failure) {
                RuntimeException thrown = failures.notRetried(failure);
                if (thrown != null) {
                    throw thrown;
                }
                if (attempt >= maxAttempts) {
                    throw new RetriableException(what + " failed " + attempt + " times; giving the batch back to be "
                            + "delivered again. Last failure: " + failure.getMessage(), failure);
                }
                LOG.warn("{} failed (attempt {} of {}), retrying: {}", what, attempt, maxAttempts, failure.getMessage());
                failures.retrying(failure);
                pause(attempt);
            }
        }
    }

    /** {@link #call} for a call without a result. */
    public void run(String what, Runnable call, Failures failures) {
        call(what, () -> {
            call.run();
            return null;
        }, failures);
    }
}
