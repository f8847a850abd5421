package io.cdcpipeline.core.sink;

import java.util.List;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * What became of a request a {@link ChangeTarget} sent: every write not named here was applied (or was older than
 * what the target holds, which is the same for a versioned copy).
 *
 * @param refused  writes the target refused for their own content: dead-lettered with the reason
 * @param leftOver writes that still failed after the target's retries: buffered again and sent later
 */
public record SendOutcome<W>(List<Refused> refused, List<W> leftOver) {

    /** A refused write's record and the target's reason. */
    public record Refused(SinkRecord record, Throwable reason) {
    }

    public static <W> SendOutcome<W> of(List<Refused> refused) {
        return new SendOutcome<>(refused, List.of());
    }
}
