package io.cdcpipeline.core.sink;

/**
 * How {@link ChangeSinkEngine} batches a target's writes.
 *
 * @param maxRecords       the most writes in one request
 * @param maxBytes         the most bytes in one request, and what the buffer sends at once when it reaches it
 * @param lingerMs         the longest a write waits in the buffer
 * @param maxInFlight      requests sent at the same time
 * @param requestPerTarget a request holds one target's writes (a ClickHouse insert), else it mixes them (a bulk
 *                         request); with one per target, a target's batch that reaches {@code maxRecords} is sent alone
 * @param headroom         how many requests' worth of writes may stay buffered while the target takes none before
 *                         {@code put} refuses more (Connect delivers them again)
 */
public record BatchLimits(int maxRecords, long maxBytes, long lingerMs, int maxInFlight, boolean requestPerTarget,
        int headroom) {

    public BatchLimits {
        if (maxRecords < 1 || maxBytes < 1 || lingerMs < 0 || maxInFlight < 1 || headroom < 1) {
            throw new IllegalArgumentException("invalid batch limits " + this);
        }
    }
}
