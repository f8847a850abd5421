package io.cdcpipeline.core.sink;

import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Exponential backoff with jitter, so many tasks hitting one recovering server do not retry in lockstep: the wait
 * after failed attempt n is {@code min(max, initial * 2^(n-1))} plus up to half of it again, capped at {@code max}.
 *
 * @param maxAttempts attempts in all, the first included
 * @param initialMs   the wait after the first failure
 * @param maxMs       the longest wait
 */
public record RetryBackoff(int maxAttempts, long initialMs, long maxMs) {

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
}
