package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The change-sink engine against a scripted target (no server: the sinks' integration tests run the real ones): what
 * is acknowledged, requeued, dead-lettered or refused for every outcome a request can have, and where an
 * unchanged-TOAST value comes from.
 */
class ChangeSinkEngineTest {

    private static final String TOPIC = "p.public.t";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Schema KEY = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA)
            .field("body", SchemaBuilder.string().optional().build()).build();
    private static final Schema SOURCE = SchemaBuilder.struct().field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA).field("lsn", Schema.INT64_SCHEMA)
            .field("snapshot", Schema.STRING_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().field("before", ROW).field("after", ROW)
            .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();
    /** What the scripted target takes for an unchanged-TOAST value. */
    private static final String HOLE = "__unchanged";

    private final Script target = new Script();
    private final List<SinkRecord> deadLettered = new ArrayList<>();
    private final List<Throwable> reasons = new ArrayList<>();
    private final SinkMetrics metrics = new SinkMetrics(null, "table", "requests", "request");
    private ChangeSinkEngine<Write> engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private ChangeSinkEngine<Write> engine(BatchLimits limits) {
        engine = new ChangeSinkEngine<>("Scripted", buffer -> {
            target.buffer = buffer;
            return target;
        }, limits, (record, reason) -> {
            deadLettered.add(record);
            reasons.add(reason);
        }, metrics);
        return engine;
    }

    /** One request per target, up to 100 writes, nothing sent before a commit unless the buffer fills. */
    private ChangeSinkEngine<Write> perTarget() {
        return engine(new BatchLimits(100, 1 << 20, 60_000, 1, true, 1));
    }

    @Test
    void offsetsAreAcknowledgedOnlyOnceTheTargetTookEveryWriteBeforeThem() {
        perTarget();
        target.failures.add(new RetriableException("the target is away"));
        engine.put(List.of(change("t", 1, "a", 10, 0), change("t", 2, "b", 11, 1), change("u", 3, "c", 12, 2)));

        assertThat(engine.preCommit(current(3))).as("a request failed: nothing is acknowledged").isEmpty();
        assertThat(metrics.pendingOf("t").records()).as("its writes are buffered again").isEqualTo(2);
        assertThat(deadLettered).isEmpty();

        assertThat(engine.preCommit(current(3))).containsEntry(PARTITION, new OffsetAndMetadata(3));
        assertThat(target.applied()).extracting(Write::body).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(metrics.pendingOf("t").records()).isZero();
    }

    @Test
    void aRefusedWriteIsDeadLetteredAloneAndTheRestAcknowledged() {
        perTarget();
        target.refuse.add("bad");
        engine.put(List.of(change("t", 1, "a", 10, 0), change("t", 2, "bad", 11, 1), change("t", 3, "c", 12, 2)));

        assertThat(engine.preCommit(current(3))).containsEntry(PARTITION, new OffsetAndMetadata(3));
        assertThat(deadLettered).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
        assertThat(reasons.get(0)).hasMessageContaining("refused bad");
        assertThat(target.applied()).extracting(Write::body).containsExactly("a", "c");
    }

    @Test
    void writesLeftOverAfterTheTargetsRetriesStayBufferedAndHoldTheOffsetBack() {
        perTarget();
        target.leaveOver.add("slow");
        engine.put(List.of(change("t", 1, "a", 10, 0), change("t", 2, "slow", 11, 1)));

        assertThat(engine.preCommit(current(2))).as("the left-over write holds offset 1 back").isEmpty();
        assertThat(metrics.pendingOf("t").records()).isEqualTo(1);
        assertThat(deadLettered).isEmpty();

        assertThat(engine.preCommit(current(2))).containsEntry(PARTITION, new OffsetAndMetadata(2));
        assertThat(target.applied()).extracting(Write::body).containsExactly("a", "slow");
    }

    @Test
    void aTargetThatTakesNoWritePausesThePutWithNothingBufferedOrDeadLettered() {
        perTarget();
        target.prepareFailure = new TargetUnavailableException("database db is missing", null);

        assertThatThrownBy(() -> engine.put(List.of(change("t", 1, "a", 10, 0))))
                .isInstanceOf(TargetUnavailableException.class).hasMessageContaining("db is missing");
        assertThat(metrics.pendingOf("t").records()).isZero();
        assertThat(deadLettered).isEmpty();

        target.prepareFailure = null;
        engine.put(List.of(change("t", 1, "a", 10, 0)));
        assertThat(engine.preCommit(current(1))).containsEntry(PARTITION, new OffsetAndMetadata(1));
    }

    @Test
    void aTargetUnavailableInARequestReachesTheTaskAndNoWriteOfTheRequestsAfterItIsLost() {
        // Requests of one write, one in flight: the first fails while the next waits for its turn.
        engine(new BatchLimits(1, 1 << 20, 60_000, 1, false, 100));
        target.failures.add(new TargetUnavailableException("the account may not write", null));
        List<SinkRecord> batch = List.of(change("t", 1, "a", 10, 0), change("t", 2, "b", 11, 1),
                change("t", 3, "c", 12, 2));

        assertThatThrownBy(() -> engine.put(batch)).isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("may not write");
        assertThat(metrics.pendingOf("t").records()).as("the failed request and the one waiting behind it")
                .isEqualTo(2);
        assertThat(deadLettered).isEmpty();

        engine.put(batch); // Connect delivers the batch again
        assertThat(engine.preCommit(current(3))).containsEntry(PARTITION, new OffsetAndMetadata(3));
        assertThat(target.applied()).extracting(Write::body).contains("a", "b", "c");
    }

    @Test
    void aFullBufferRefusesTheNextPutBeforeAcceptingAnyOfIt() {
        engine(new BatchLimits(2, 1 << 20, 60_000, 1, true, 1));
        for (int i = 0; i < 10; i++) {
            target.failures.add(new RetriableException("the target is away"));
        }
        engine.put(List.of(change("t", 1, "a", 10, 0), change("t", 2, "b", 11, 1)));
        assertThat(engine.preCommit(current(2))).isEmpty();

        assertThatThrownBy(() -> engine.put(List.of(change("t", 3, "c", 12, 2))))
                .isInstanceOf(RetriableException.class).hasMessageContaining("the target is away");
        assertThat(metrics.pendingOf("t").records()).as("the refused put added nothing").isEqualTo(2);
    }

    @Test
    void aChangeTheTargetCannotEncodeIsDeadLetteredNamingTheRecordAndTable() {
        perTarget();
        engine.put(List.of(change("t", 1, "unencodable", 10, 0), change("t", 2, "b", 11, 1)));

        assertThat(engine.preCommit(current(2))).containsEntry(PARTITION, new OffsetAndMetadata(2));
        assertThat(reasons).singleElement().isInstanceOf(DataException.class).extracting(Throwable::getMessage)
                .asString().startsWith("record p.public.t-0@0 (public.t): ").endsWith("cannot encode unencodable");
        assertThat(target.applied()).extracting(Write::body).containsExactly("b");
    }

    @Test
    void anUnchangedToastValueComesFromTheNewestBufferedVersionElseFromTheTargetAfterItIsWritten() {
        perTarget();
        target.stored.put(2, "stored-2");
        engine.put(List.of(change("t", 1, "first", 10, 0), change("t", 1, "second", 11, 1),
                change("t", 1, HOLE, 12, 2), change("t", 2, HOLE, 13, 3)));

        engine.preCommit(current(4));
        assertThat(target.applied()).extracting(Write::body)
                .containsExactly("first", "second", "second", "stored-2");
        assertThat(target.readAfterWriting).as("stored values read only with everything of the table written")
                .containsExactly(true);
    }

    @Test
    void aTruncateComesAfterEveryWriteAcceptedBeforeIt() {
        perTarget();
        engine.put(List.of(change("t", 1, "a", 10, 0), change("u", 2, "b", 11, 1), truncate("t", 12, 2),
                change("t", 3, "c", 13, 3)));

        assertThat(target.truncatedAfter).containsExactly(2);
        engine.preCommit(current(4));
        assertThat(target.applied()).extracting(Write::body).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void requestsHoldOneTargetEachOrMixThemAsTheLimitsSay() {
        perTarget();
        engine.put(List.of(change("t", 1, "a", 10, 0), change("u", 2, "b", 11, 1), change("t", 3, "c", 12, 2)));
        engine.preCommit(current(3));
        assertThat(target.requests).extracting(r -> r.stream().map(Write::target).distinct().toList())
                .containsExactlyInAnyOrder(List.of("t"), List.of("u"));

        target.requests.clear();
        engine.close();
        engine(new BatchLimits(2, 1 << 20, 60_000, 2, false, 10));
        engine.put(List.of(change("t", 1, "a", 10, 0), change("u", 2, "b", 11, 1), change("t", 3, "c", 12, 2)));
        engine.preCommit(current(3));
        assertThat(target.requests).extracting(List::size).as("at most two writes each, targets mixed")
                .containsExactlyInAnyOrder(2, 1);
    }

    @Test
    void aTargetThatWantsEverythingWrittenGetsItAtThePutsEndAfterEveryWrite() {
        perTarget();
        target.wantsFlush = true;
        engine.put(List.of(change("t", 1, "a", 10, 0)));
        assertThat(target.everythingWrittenCalls).isEqualTo(1);
        assertThat(target.appliedWhenEverythingWritten).as("the put's write was in the target by then").isEqualTo(1);
    }

    private static Map<TopicPartition, OffsetAndMetadata> current(long next) {
        return Map.of(PARTITION, new OffsetAndMetadata(next));
    }

    private static SinkRecord change(String table, int id, String body, long lsn, long offset) {
        Struct value = new Struct(ENVELOPE).put("after", new Struct(ROW).put("id", id).put("body", body))
                .put("source", source(table, lsn)).put("op", "u");
        return new SinkRecord(TOPIC, 0, KEY, new Struct(KEY).put("id", id), ENVELOPE, value, offset);
    }

    private static SinkRecord truncate(String table, long lsn, long offset) {
        Struct value = new Struct(ENVELOPE).put("source", source(table, lsn)).put("op", "t");
        return new SinkRecord(TOPIC, 0, null, null, ENVELOPE, value, offset);
    }

    private static Struct source(String table, long lsn) {
        return new Struct(SOURCE).put("schema", "public").put("table", table).put("lsn", lsn).put("snapshot", "false");
    }

    /** A write of the scripted target: a row's body. */
    record Write(SinkRecord record, String target, Object key, String body, long sourceTsMs) implements BufferedWrite {
        @Override
        public long bytes() {
            return 10 + body.length();
        }
    }

    /** A target whose requests fail, refuse or leave writes over as the test scripts it, and which keeps what it took. */
    private static final class Script implements ChangeTarget<Write> {
        ChangeBuffer<Write> buffer;
        final Deque<RuntimeException> failures = new ArrayDeque<>();
        final List<String> refuse = new ArrayList<>();
        final List<String> leaveOver = new ArrayList<>();
        final Map<Integer, String> stored = new HashMap<>();
        final List<List<Write>> requests = new ArrayList<>();
        final List<Boolean> readAfterWriting = new ArrayList<>();
        final List<Integer> truncatedAfter = new ArrayList<>();
        RuntimeException prepareFailure;
        boolean wantsFlush;
        int everythingWrittenCalls;
        int appliedWhenEverythingWritten;
        private final List<Write> applied = new ArrayList<>();
        private final ResyncedRebuilds<String> rebuilds = new ResyncedRebuilds<>(
                new AbstractConfig(SourceCheckConfig.define(new ConfigDef()), Map.of()),
                LoggerFactory.getLogger(ChangeSinkEngineTest.class));

        synchronized List<Write> applied() {
            return new ArrayList<>(applied);
        }

        @Override
        public void prepare(List<ChangeEvent> changes) {
            if (prepareFailure != null) {
                throw prepareFailure;
            }
        }

        @Override
        public void onNotification(SnapshotNotification notification) {
        }

        @Override
        public List<Write> encode(SinkRecord record, ChangeEvent change) {
            String body = change.after().getString("body");
            Object key = change.after().getInt32("id");
            if (body.equals("unencodable")) {
                throw new DataException("cannot encode " + body);
            }
            if (body.equals(HOLE)) {
                Write newest = buffer.newest(change.table().table(), key);
                if (newest != null) {
                    body = newest.body();
                } else {
                    int before = applied().size();
                    buffer.writeOut(change.table().table());
                    readAfterWriting.add(applied().size() > before);
                    body = stored.get((Integer) key);
                }
            }
            return List.of(new Write(record, change.table().table(), key, body, 0));
        }

        @Override
        public void truncate(ChangeEvent change) {
            truncatedAfter.add(applied().size());
        }

        @Override
        public synchronized SendOutcome<Write> send(List<Write> request) {
            requests.add(request);
            if (!failures.isEmpty()) {
                throw failures.poll();
            }
            List<SendOutcome.Refused> refused = new ArrayList<>();
            List<Write> left = new ArrayList<>();
            for (Write write : request) {
                if (refuse.contains(write.body())) {
                    refused.add(new SendOutcome.Refused(write.record(), new DataException("refused " + write.body())));
                } else if (leaveOver.remove(write.body())) {
                    left.add(write);
                } else {
                    applied.add(write);
                }
            }
            return new SendOutcome<>(refused, left);
        }

        @Override
        public boolean flushWanted() {
            return wantsFlush && everythingWrittenCalls == 0;
        }

        @Override
        public void everythingWritten() {
            everythingWrittenCalls++;
            appliedWhenEverythingWritten = applied().size();
        }

        @Override
        public ResyncedRebuilds<?> rebuilds() {
            return rebuilds;
        }

        @Override
        public void handOver(TableId table) {
        }
    }
}
