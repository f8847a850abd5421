package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.ChangeEvent;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;

/** Where a sink sends a record it cannot write, with the reason, so that nothing refused is lost. */
@FunctionalInterface
public interface DeadLetters {

    void report(SinkRecord record, Throwable reason);

    /**
     * Through the task's {@link ErrantRecordReporter}: Connect's dead-letter queue, or the embedded runner's
     * dead-letter file. Without one the task fails rather than drop the record. The report is complete (written)
     * before this returns, so an offset committed afterwards never covers an unrecorded refusal.
     */
    static DeadLetters of(SinkTaskContext context, Logger log) {
        ErrantRecordReporter reporter = context == null ? null : context.errantRecordReporter();
        return (record, reason) -> {
            if (reporter == null) {
                throw new ConnectException("no dead-letter path is configured and a record cannot be written: "
                        + reason.getMessage(), reason);
            }
            log.warn("Dead-lettering {}: {}", ChangeEvent.describe(record), reason.getMessage());
            try {
                reporter.report(record, reason).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectException("interrupted while dead-lettering a record", e);
            } catch (ExecutionException e) {
                throw new ConnectException("dead-lettering a record failed: " + e.getCause().getMessage(), e.getCause());
            }
        };
    }
}
