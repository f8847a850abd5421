package io.cdcpipeline.sink.clickhouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Sends one batch at a time in the background while the task encodes the next, so encoding and ClickHouse's
 * parsing overlap instead of taking turns. At most one insert is in flight: {@link #submit} first waits for the one
 * before. Whatever an insert refused is reported on the caller's thread when it is awaited, and a batch that could
 * not be written is handed back whole to be buffered again: nothing is acknowledged until {@link #await} returns.
 */
final class InsertPipeline implements AutoCloseable {

    /** A row the server refused, to be dead-lettered on the task's thread. */
    record Refused(SinkRecord record, Throwable reason) {
    }

    private final BatchInserter inserter;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "clickhouse-sink-insert");
        thread.setDaemon(true);
        return thread;
    });
    private Future<List<Refused>> inFlight;
    private Map<RowLayout, List<EncodedRow>> inFlightRows;

    InsertPipeline(BatchInserter inserter) {
        this.inserter = inserter;
    }

    /** Waits for the insert in flight, then starts inserting {@code rows} (one insert per layout). */
    void submit(Map<RowLayout, List<EncodedRow>> rows, Consumer<Refused> refused,
            Consumer<Map<RowLayout, List<EncodedRow>>> requeue) {
        await(refused, requeue);
        inFlightRows = rows;
        inFlight = executor.submit(() -> {
            List<Refused> out = new ArrayList<>();
            for (Map.Entry<RowLayout, List<EncodedRow>> layoutRows : rows.entrySet()) {
                inserter.insert(layoutRows.getKey(), layoutRows.getValue(), out);
            }
            return out;
        });
    }

    /**
     * Waits for the insert in flight. Its refused rows go to {@code refused}; if it failed, its rows go back to
     * {@code requeue} and the failure is thrown here.
     */
    void await(Consumer<Refused> refused, Consumer<Map<RowLayout, List<EncodedRow>>> requeue) {
        if (inFlight == null) {
            return;
        }
        Future<List<Refused>> future = inFlight;
        Map<RowLayout, List<EncodedRow>> rows = inFlightRows;
        inFlight = null;
        inFlightRows = null;
        try {
            future.get().forEach(refused);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requeue.accept(rows);
            throw new ConnectException("interrupted while waiting for an insert", e);
        } catch (ExecutionException e) {
            requeue.accept(rows);
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException runtime ? runtime : new ConnectException(cause);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
