package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change sink of every target: turns records into the target's writes ({@link ChangeTarget#encode}), buffers
 * them per target, sends them as requests bounded by writes and bytes (and a linger time) with up to
 * {@link BatchLimits#maxInFlight} in flight, and reports offsets as acknowledged only when everything accepted before
 * them is in the target or in the dead-letter queue. A request that fails is buffered again whole, a write the
 * target refuses alone is dead-lettered, a target that takes no write ({@link TargetUnavailableException}) pauses the
 * sink with nothing dead-lettered. Writes carry their change version, so the order of requests does not matter and a
 * replay never lets an older version win.
 *
 * <p>Unchanged-TOAST values: a target fills them from the newest buffered write of the key ({@link #newest}), else
 * from what it stores, after the buffered writes are written out ({@link #writeOut}).
 */
public class ChangeSinkEngine<W extends BufferedWrite> implements BufferedSink, ChangeBuffer<W> {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeSinkEngine.class);

    private final String name;
    private final ChangeTarget<W> target;
    private final BatchLimits limits;
    private final DeadLetters deadLetters;
    private final SinkMetrics metrics;
    private final ExecutorService senders;
    private final OffsetTracker offsets = new OffsetTracker();
    private final PartitionTables partitionTables = new PartitionTables();
    private final Map<String, Batch<W>> batches = new LinkedHashMap<>();
    private final Deque<Request<W>> inFlight = new ArrayDeque<>();
    /**
     * The newest write per key of a target, for unchanged-TOAST holes: built from the target's buffered writes when
     * the first hole of a put needs it (most tables never pay for it), then kept up to date until the put ends, also
     * for writes sent meanwhile (they are still the newest version the sink knows).
     */
    private final Map<String, Map<Object, W>> newest = new HashMap<>();
    private int bufferedCount;
    private long bufferedBytes;
    private long oldestBufferedAt;

    /**
     * @param name   the target's name in logs and messages ("ClickHouse")
     * @param target makes the target, given the buffer it may ask to write out
     */
    public ChangeSinkEngine(String name, Function<ChangeBuffer<W>, ChangeTarget<W>> target, BatchLimits limits,
            DeadLetters deadLetters, SinkMetrics metrics) {
        this.name = name;
        this.limits = limits;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        String threadName = name.toLowerCase() + "-sink-send";
        this.senders = Executors.newFixedThreadPool(limits.maxInFlight(), r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        this.target = target.apply(this);
    }

    /**
     * Accepts a batch of records. If the buffer is still full from a failed send, the batch is refused with a
     * {@link RetriableException} (Connect delivers it again) before any of it is accepted; otherwise every record
     * is buffered or dead-lettered.
     */
    @Override
    public synchronized void put(Collection<SinkRecord> records) {
        if (isFull()) {
            flush();
        }
        List<Parsed> parsed = new ArrayList<>(records.size());
        List<ChangeEvent> changes = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            if (SnapshotNotification.isNotification(record)) {
                parsed.add(new Parsed(record, null)); // taken in its place among the changes
                continue;
            }
            try {
                ChangeEvent change = ChangeEvent.of(record);
                parsed.add(new Parsed(record, change));
                changes.add(change);
            } catch (DataException e) {
                deadLetter(record, e);
            }
        }
        target.prepare(changes);
        try {
            for (Parsed p : parsed) {
                accept(p);
            }
        } finally {
            newest.clear();
        }
        offsets.accepted(records);
        publish();
        if (target.flushWanted()) {
            tryFlush();
        } else if (isFull() || isDue()) {
            trySend(null);
        }
    }

    private void accept(Parsed p) {
        ChangeEvent change = p.change();
        if (change == null) {
            target.onNotification(SnapshotNotification.of(p.record()));
            return;
        }
        partitionTables.seen(p.record(), change.table());
        if (change.operation() == Operation.TOMBSTONE) {
            return; // the delete before it already wrote the versioned delete
        }
        try {
            if (change.operation() == Operation.TRUNCATE) {
                writeOutAll(); // nothing written before the truncate may land after it
                target.truncate(change);
            } else {
                List<W> writes = target.encode(p.record(), change);
                for (int i = 0; i < writes.size(); i++) { // indexed: no iterator per change on the hot path
                    buffer(writes.get(i));
                }
            }
        } catch (DataException e) {
            deadLetter(p.record(), new DataException(ChangeEvent.describe(p.record()) + " (" + change.table() + "): "
                    + e.getMessage(), e));
        } finally {
            target.rebuilds().seen(change.table(), p.record()); // after the rebuild this change may have started
        }
    }

    private void buffer(W write) {
        Batch<W> batch = batches.computeIfAbsent(write.target(), t -> new Batch<>());
        batch.add(write);
        Map<Object, W> index = newest.get(write.target());
        if (index != null) {
            index.put(write.key(), write);
        }
        bufferedCount++;
        bufferedBytes += write.bytes();
        if (oldestBufferedAt == 0) {
            oldestBufferedAt = System.currentTimeMillis();
        }
        if (limits.requestPerTarget() && batch.tally.count >= limits.maxRecords()) {
            trySend(write.target());
        } else if (bufferedBytes >= limits.maxBytes()
                || !limits.requestPerTarget() && bufferedCount >= limits.maxRecords()) {
            trySend(null);
        }
    }

    @Override
    public W newest(String targetName, Object key) {
        return newest.computeIfAbsent(targetName, t -> {
            Map<Object, W> index = new HashMap<>();
            Batch<W> batch = batches.get(t);
            if (batch != null) {
                batch.writes.forEach(w -> index.put(w.key(), w));
            }
            return index;
        }).get(key);
    }

    @Override
    public void writeOut(String targetName) {
        if (batches.containsKey(targetName)) {
            send(List.of(targetName));
        }
        awaitAll();
        Batch<W> left = batches.get(targetName);
        if (left != null) {
            throw new RetriableException(left.tally.count + " changes of " + targetName + " could not be written to "
                    + name + " yet; they stay buffered");
        }
    }

    @Override
    public void writeOutAll() {
        send(new ArrayList<>(batches.keySet()));
        awaitAll();
        if (bufferedCount > 0) {
            throw new RetriableException(bufferedCount + " changes could not be written to " + name
                    + " yet; they stay buffered");
        }
    }

    /** Sends what is buffered if it is old enough or too much; called on the linger timer. */
    @Override
    public synchronized void flushIfDue() {
        target.tick();
        if (target.flushWanted()) {
            tryFlush();
        } else if (bufferedCount > 0 && (isFull() || isDue())) {
            trySend(null);
        }
        collectFinished();
        publish();
    }

    /**
     * Writes everything buffered, then reports which of {@code current} offsets the target acknowledged. If that
     * fails, only offsets acknowledged earlier are reported and the writes stay buffered.
     */
    @Override
    public synchronized Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current) {
        tryFlush();
        return target.rebuilds().holdBack(offsets.committable(current));
    }

    @Override
    public synchronized void partitionsMove() {
        target.rebuilds().partitionsMove();
    }

    @Override
    public synchronized void forget(Collection<TopicPartition> partitions) {
        offsets.forget(partitions);
        partitionTables.revoke(partitions).forEach(target::handOver);
    }

    /**
     * Writes everything buffered and runs what waits for that (snapshot sweeps see every row before them); only then
     * is everything accepted acknowledged, so a restart never skips a sweep.
     */
    private void flush() {
        writeOutAll();
        target.everythingWritten();
        offsets.acknowledgeAccepted();
        publish();
    }

    private void tryFlush() {
        try {
            flush();
        } catch (RetriableException e) {
            LOG.warn("Buffered changes could not be written to {} yet and stay buffered ({}): {}", name, bufferedCount,
                    e.getMessage());
        }
    }

    /**
     * Sends one target's writes (or all, for null); if the target is away they stay and a later call retries. A
     * target that takes no write at all pauses the sink from here ({@link BufferingSinkTask} says why).
     */
    private void trySend(String targetName) {
        try {
            send(targetName == null ? new ArrayList<>(batches.keySet()) : List.of(targetName));
        } catch (TargetUnavailableException e) {
            throw e;
        } catch (RetriableException e) {
            LOG.warn("Changes for {} could not be sent to {} yet and stay buffered: {}",
                    targetName == null ? "every target" : targetName, name, e.getMessage());
        }
    }

    /** Takes the targets' writes out of the buffer and hands them to the senders as requests. */
    private void send(List<String> targetNames) {
        List<Outgoing<W>> requests = new ArrayList<>();
        List<W> mixed = new ArrayList<>();
        for (String t : targetNames) {
            Batch<W> batch = batches.remove(t);
            if (batch == null) {
                continue;
            }
            bufferedCount -= batch.tally.count;
            bufferedBytes -= batch.tally.bytes;
            if (!limits.requestPerTarget()) {
                mixed.addAll(batch.writes);
                continue;
            }
            List<W> writes = target.worthSending(batch.writes);
            if (writes == batch.writes && batch.tally.count <= limits.maxRecords()
                    && batch.tally.bytes <= limits.maxBytes()) {
                // The usual case: the batch is one request, and its tally is known (no second pass over cold rows).
                requests.add(new Outgoing<>(writes, Map.of(t, batch.tally)));
            } else {
                cut(writes).forEach(request -> requests.add(new Outgoing<>(request, Tally.of(request))));
            }
        }
        if (!mixed.isEmpty()) {
            cut(target.worthSending(mixed)).forEach(request -> requests.add(new Outgoing<>(request, Tally.of(request))));
        }
        if (batches.isEmpty()) {
            oldestBufferedAt = 0;
        }
        for (int i = 0; i < requests.size(); i++) {
            try {
                collectFinished();
                while (inFlight.size() >= limits.maxInFlight()) {
                    await(inFlight.pollFirst());
                }
            } catch (RuntimeException e) {
                // None of the requests not yet handed over left the buffer for good.
                requests.subList(i, requests.size()).forEach(request -> requeue(request.writes()));
                throw e;
            }
            Outgoing<W> request = requests.get(i);
            inFlight.addLast(new Request<>(request.writes(), request.tally(),
                    senders.submit(() -> target.send(request.writes()))));
        }
        publish();
    }

    /** Requests of at most {@code maxRecords} writes and {@code maxBytes} (a larger write goes alone). */
    private List<List<W>> cut(List<W> writes) {
        List<List<W>> requests = new ArrayList<>();
        List<W> request = new ArrayList<>();
        long bytes = 0;
        for (W write : writes) {
            if (!request.isEmpty() && (request.size() >= limits.maxRecords()
                    || bytes + write.bytes() > limits.maxBytes())) {
                requests.add(request);
                request = new ArrayList<>();
                bytes = 0;
            }
            request.add(write);
            bytes += write.bytes();
        }
        if (!request.isEmpty()) {
            requests.add(request);
        }
        return requests;
    }

    private void collectFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcome().isDone()) {
            await(inFlight.pollFirst());
        }
    }

    private void awaitAll() {
        while (!inFlight.isEmpty()) {
            await(inFlight.pollFirst());
        }
    }

    /** Takes a request's outcome on the task's thread: refused writes dead-lettered, the rest buffered again. */
    private void await(Request<W> request) {
        SendOutcome<W> outcome;
        try {
            outcome = request.outcome().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requeue(request.writes());
            throw new ConnectException("interrupted while waiting for a request to " + name, e);
        } catch (ExecutionException e) {
            requeue(request.writes());
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException runtime ? runtime : new ConnectException(cause);
        }
        for (SendOutcome.Refused refused : outcome.refused()) {
            deadLetter(refused.record(), refused.reason());
        }
        if (!outcome.leftOver().isEmpty()) {
            requeue(outcome.leftOver());
        }
    }

    /** Writes of a request that failed go back into the buffer, to be sent again. */
    private void requeue(List<W> writes) {
        for (W write : writes) {
            batches.computeIfAbsent(write.target(), t -> new Batch<>()).add(write);
            bufferedCount++;
            bufferedBytes += write.bytes();
        }
        if (oldestBufferedAt == 0 && bufferedCount > 0) {
            oldestBufferedAt = System.currentTimeMillis();
        }
        publish();
    }

    /** Buffered writes and, per target, the changes not yet acknowledged (buffered or in a request in flight). */
    private void publish() {
        metrics.buffered(bufferedCount);
        PendingChanges pending = new PendingChanges();
        batches.forEach((t, batch) -> pending.add(target.metricName(t), batch.tally.count, batch.tally.oldestSourceMs));
        for (Request<W> request : inFlight) {
            request.tally().forEach((t, tally) -> pending.add(target.metricName(t), tally.count, tally.oldestSourceMs));
        }
        metrics.pending(pending);
    }

    private boolean isFull() {
        long records = limits.maxRecords() * (long) limits.headroom();
        return bufferedBytes >= limits.maxBytes() * limits.headroom() || (limits.requestPerTarget()
                ? batches.values().stream().anyMatch(b -> b.tally.count >= records) : bufferedCount >= records);
    }

    private boolean isDue() {
        return oldestBufferedAt > 0 && System.currentTimeMillis() - oldestBufferedAt >= limits.lingerMs();
    }

    private void deadLetter(SinkRecord record, Throwable reason) {
        deadLetters.report(record, reason);
        metrics.deadLettered();
    }

    @Override
    public synchronized void close() {
        senders.shutdownNow();
        target.close();
        if (bufferedCount > 0) {
            LOG.info("Stopping with {} changes not written to {}; Connect delivers them again from the last committed "
                    + "offset", bufferedCount, name);
        }
    }

    private record Parsed(SinkRecord record, ChangeEvent change) {
    }

    /** A request about to be handed to a sender, with its tally per target. */
    private record Outgoing<W>(List<W> writes, Map<String, Tally> tally) {
    }

    private record Request<W>(List<W> writes, Map<String, Tally> tally, Future<SendOutcome<W>> outcome) {
    }

    /** How many writes, how many bytes, and the source time of the oldest. */
    private static final class Tally {
        long count;
        long bytes;
        long oldestSourceMs;

        void add(BufferedWrite write) {
            count++;
            bytes += write.bytes();
            long ts = write.sourceTsMs();
            if (ts > 0 && (oldestSourceMs == 0 || ts < oldestSourceMs)) {
                oldestSourceMs = ts;
            }
        }

        static Map<String, Tally> of(List<? extends BufferedWrite> writes) {
            Map<String, Tally> tallies = new HashMap<>();
            String last = null;
            Tally tally = null;
            for (BufferedWrite write : writes) {
                // A request's writes come in runs of one target (often one run): look the target up once per run.
                if (write.target() != last) {
                    last = write.target();
                    tally = tallies.computeIfAbsent(last, t -> new Tally());
                }
                tally.add(write);
            }
            return tallies;
        }
    }

    /** The buffered writes of one target. */
    private static final class Batch<W extends BufferedWrite> {
        final List<W> writes = new ArrayList<>();
        final Tally tally = new Tally();

        void add(W write) {
            writes.add(write);
            tally.add(write);
        }
    }
}
