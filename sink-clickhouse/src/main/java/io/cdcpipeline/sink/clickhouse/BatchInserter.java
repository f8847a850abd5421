package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.sink.RetryBackoff;
import io.cdcpipeline.core.sink.SendOutcome;
import io.cdcpipeline.sink.clickhouse.dialect.DateTimeSpec;
import io.cdcpipeline.sink.clickhouse.types.RowBinaryOutput;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the rows of one layout as {@code RowBinary} inserts. Retriable failures are retried with backoff; when the
 * server refuses the data itself, the batch is split in halves until the refused rows are found, and only those go
 * to the dead-letter queue: the rest of the batch still lands.
 */
final class BatchInserter {

    private static final Logger LOG = LoggerFactory.getLogger(BatchInserter.class);

    private final ClickHouseConnection connection;
    private final RetryBackoff backoff;
    private final ClickHouseSinkMetrics metrics;
    /** The type of the written-at column when inserts carry it themselves, or null when the server's default fills it. */
    private final DateTimeSpec stampType;

    /**
     * @param stampWrittenAt whether inserts carry {@code _cdc_written_at} themselves: on a cluster, where a batch sent
     *                       again must be the same block to the byte (the server's default, now(), would differ)
     */
    BatchInserter(ClickHouseConnection connection, RetryBackoff backoff, ClickHouseSinkMetrics metrics,
            boolean stampWrittenAt) {
        this.connection = connection;
        this.backoff = backoff;
        this.metrics = metrics;
        this.stampType = stampWrittenAt ? connection.dialect().dateTime(3) : null;
    }

    /** Inserts the rows; those the server refuses (alone) are added to {@code refused}. */
    void insert(RowLayout layout, List<EncodedRow> rows, List<SendOutcome.Refused> refused) {
        if (rows.isEmpty()) {
            return;
        }
        RowBinaryOutput body = new RowBinaryOutput(rows.size() * (rows.get(0).data().length + 8) + 16);
        long now = System.currentTimeMillis();
        for (EncodedRow row : rows) {
            body.writeBytes(row.data());
            if (stampType != null) {
                // Once per batch: every attempt of this insert sends the same bytes.
                if (stampType.isDateTime64()) {
                    body.writeLong(now);
                } else {
                    body.writeInt((int) (now / 1000));
                }
            }
        }
        List<String> columns = stampType == null ? layout.insertColumns() : withWrittenAt(layout.insertColumns());
        long started = System.nanoTime();
        try {
            backoff.run("insert of " + rows.size() + " rows into " + layout.table(),
                    () -> connection.insertRowBinary(layout.table(), columns, body.toByteArray()),
                    ClickHouseFailure.retries(metrics::retried));
        } catch (ClickHouseFailure failure) {
            if (failure.kind() != ClickHouseFailure.Kind.DATA) {
                throw failure;
            }
            isolate(layout, rows, failure, refused);
            return;
        }
        metrics.inserted(layout.table(), rows, System.nanoTime() - started);
    }

    private static List<String> withWrittenAt(List<String> columns) {
        List<String> all = new ArrayList<>(columns);
        all.add(SqlText.identifier(CdcColumns.WRITTEN_AT));
        return all;
    }

    private void isolate(RowLayout layout, List<EncodedRow> rows, ClickHouseFailure failure,
            List<SendOutcome.Refused> refused) {
        if (rows.size() == 1) {
            EncodedRow row = rows.get(0);
            refused.add(new SendOutcome.Refused(row.record(), new DataException(ChangeEvent.describe(row.record())
                    + ": ClickHouse refused the row for " + layout.table() + ": " + failure.getMessage(), failure)));
            return;
        }
        LOG.warn("ClickHouse refused a batch of {} rows for {} ({}); splitting it to find the rows at fault",
                rows.size(), layout.table(), failure.getMessage());
        int half = rows.size() / 2;
        insert(layout, rows.subList(0, half), refused);
        insert(layout, rows.subList(half, rows.size()), refused);
    }
}
