package io.cdcpipeline.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Envelopes;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.KeyColumns;
import io.cdcpipeline.core.consistency.TargetRows;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** When a sink sweeps after a snapshot, which targets, and below which version. */
class SnapshotSweepsTest {

    private record Call(String target, long bound) {
    }

    private final List<Call> calls = new ArrayList<>();
    private final AtomicLong removed = new AtomicLong();
    private final SnapshotSweeps sweeps = new SnapshotSweeps("test",
            table -> table.table().equals("empty") ? "db.empty" : null, removed::addAndGet);

    private static ChangeEvent event(String table, String op, long lsn, String snapshot) {
        return ChangeEvent.of(Envelopes.record("p.public." + table, 0, table, op, lsn, snapshot));
    }

    private static SnapshotNotification tableScanned(String table, long rows, Long lsn) {
        return Notifications.tableScanned(table, rows, lsn);
    }

    private static SnapshotNotification incrementalScanned(String table, String status) {
        return Notifications.incrementalScanned(table, status);
    }

    /** The source check's target side: these tests never reach it (no source database is configured). */
    private static final TargetRows NO_CHECK = new TargetRows() {
        @Override
        public void scanLive(String target, KeyColumns key, int batchSize, Consumer<List<Row>> batches) {
            throw new AssertionError("no source check expected");
        }

        @Override
        public long removeAt(String target, KeyColumns key, List<Row> rows) {
            throw new AssertionError("no source check expected");
        }

        @Override
        public List<Row> liveRows(String target, KeyColumns key, List<List<String>> keys) {
            throw new AssertionError("no source check expected");
        }

        @Override
        public long liveCount(String target) {
            throw new AssertionError("no source check expected");
        }
    };

    private void sweep() {
        sweeps.sweep((target, bound) -> {
            calls.add(new Call(target, bound));
            return 3;
        }, NO_CHECK);
    }

    @Test
    void theLastReadOfATableMakesItsTargetsDueBelowTwiceTheSnapshotLsn() {
        sweeps.onEvent(event("orders", "r", 100, "first_in_data_collection"), "db.orders");
        sweeps.onEvent(event("orders", "r", 100, "true"), "db.orders");
        assertThat(sweeps.hasPending()).isFalse();
        sweeps.onEvent(event("orders", "r", 100, "last_in_data_collection"), "db.orders");
        assertThat(sweeps.hasPending()).isTrue();
        sweep();
        assertThat(calls).containsExactly(new Call("db.orders", 200));
        assertThat(removed).hasValue(3);
        assertThat(sweeps.hasPending()).isFalse();

        // The same snapshot delivered again sweeps nothing more; a later snapshot does.
        sweeps.onEvent(event("orders", "r", 100, "last"), "db.orders");
        assertThat(sweeps.hasPending()).isFalse();
        sweeps.onEvent(event("orders", "r", 900, "last"), "db.orders");
        sweep();
        assertThat(calls).containsExactly(new Call("db.orders", 200), new Call("db.orders", 1800));
    }

    @Test
    void streamedChangesAndIncrementalReadsNeverTriggerASweep() {
        sweeps.onEvent(event("orders", "u", 100, "false"), "db.orders");
        sweeps.onEvent(event("orders", "r", 100, "incremental"), "db.orders");
        sweeps.onNotification(tableScanned("orders", 5, 100L));
        assertThat(sweeps.hasPending()).as("a scan with rows waits for its last read's marker").isFalse();
    }

    @Test
    void anEmptyTableIsSweptOnItsNotificationAtTheStampedLsn() {
        sweeps.onNotification(tableScanned("empty", 0, 50L));
        sweep();
        assertThat(calls).containsExactly(new Call("db.empty", 100));
        sweeps.onNotification(tableScanned("gone", 0, 50L));
        sweep();
        assertThat(calls).as("no target for a table the sink never wrote and that has none").hasSize(1);
    }

    @Test
    void aNotificationWithoutTheStampIsNotActedOn() {
        sweeps.onNotification(tableScanned("empty", 0, null));
        assertThat(sweeps.hasPending()).isFalse();
    }

    @Test
    void aTargetHoldingRowsOfAnotherSourceTableIsNotSwept() {
        sweeps.onEvent(event("orders_2025", "u", 10, "false"), "db.all_orders");
        sweeps.onEvent(event("orders_2026", "r", 100, "last"), "db.all_orders");
        sweep();
        assertThat(calls).isEmpty();
        assertThat(sweeps.hasPending()).isFalse();
    }

    @Test
    void aFailedSweepStaysPendingAndIsTriedAgain() {
        sweeps.onEvent(event("orders", "r", 100, "last"), "db.orders");
        assertThatThrownBy(() -> sweeps.sweep((target, bound) -> {
            throw new RetriableException("ClickHouse is away");
        }, NO_CHECK)).isInstanceOf(RetriableException.class);
        assertThat(sweeps.hasPending()).isTrue();
        sweep();
        assertThat(calls).containsExactly(new Call("db.orders", 200));
    }

    @Test
    void flattenedReadsCarryNoMarkerSoTheirTablesNotificationTriggersTheSweep() {
        Schema flat = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("__op", Schema.STRING_SCHEMA)
                .field("__lsn", Schema.INT64_SCHEMA).field("__schema", Schema.STRING_SCHEMA)
                .field("__table", Schema.STRING_SCHEMA).build();
        Struct row = new Struct(flat).put("id", 1).put("__op", "r").put("__lsn", 100L).put("__schema", "public")
                .put("__table", "orders");
        SinkRecord flattened = new SinkRecord("p.public.orders", 0, Envelopes.KEY, new Struct(Envelopes.KEY).put("id", 1),
                flat, row, 0);
        sweeps.onEvent(ChangeEvent.of(flattened), "db.orders");
        sweeps.onNotification(tableScanned("orders", 1, 100L));
        sweep();
        assertThat(calls).containsExactly(new Call("db.orders", 200));
        assertThat(new TableId("public", "orders")).isEqualTo(event("orders", "u", 1, "false").sourceTable());
    }

    @Test
    void aCompletedIncrementalScanIsCheckedAgainstTheSourceOnlyWhenOneIsConfiguredAndTheScanSucceeded() {
        sweeps.onEvent(event("orders", "r", 0, "incremental"), "db.orders");
        sweeps.onNotification(incrementalScanned("orders", "SUCCEEDED"));
        assertThat(sweeps.hasPending()).as("no source database configured: nothing to check with").isFalse();

        SnapshotSweeps withSource = new SnapshotSweeps("test", table -> null, removed::addAndGet,
                () -> { throw new SQLException("unreachable", "08001"); });
        withSource.onEvent(event("orders", "r", 0, "incremental"), "db.orders");
        withSource.onNotification(incrementalScanned("orders", "SKIPPED"));
        assertThat(withSource.hasPending()).as("a skipped scan read nothing").isFalse();
        for (int signal = 0; signal < 2; signal++) { // a repair in two signals: each completes once
            withSource.onEvent(ChangeEvent.of(Envelopes.signal("execute-snapshot", "{\"data-collections\": "
                    + "[\"public.orders\"], \"type\": \"incremental\", \"additional-conditions\": [{\"data-collection\": "
                    + "\"public.orders\", \"filter\": \"id IN (1, 2)\"}]}", 150)), "db.debezium_signal");
        }
        withSource.onNotification(incrementalScanned("orders", "SUCCEEDED"));
        withSource.onNotification(incrementalScanned("orders", "SUCCEEDED"));
        assertThat(withSource.hasPending()).as("a repair of some rows is no reason to check the table").isFalse();
        withSource.onNotification(incrementalScanned("orders", "SUCCEEDED"));
        assertThat(withSource.hasPending()).as("the next whole-table snapshot is").isTrue();
        assertThatThrownBy(() -> withSource.sweep((target, bound) -> 0, NO_CHECK))
                .as("an unreachable source is retried, the check stays pending")
                .isInstanceOf(RetriableException.class).hasMessageContaining("db.orders");
        assertThat(withSource.hasPending()).isTrue();
    }

    @Test
    void aBlockingSnapshotRestrictedByAdditionalConditionsIsNotSwept() {
        sweeps.onEvent(ChangeEvent.of(Envelopes.signal("execute-snapshot", "{\"data-collections\": [\"public.orders\"], "
                + "\"type\": \"BLOCKING\", \"additional-conditions\": [{\"data-collection\": \"public.orders\", "
                + "\"filter\": \"id > 10\"}]}", 50)), "db.debezium_signal");
        sweeps.onEvent(event("orders", "r", 100, "last"), "db.orders");
        assertThat(sweeps.hasPending()).as("only some rows were re-sent").isFalse();

        // Not a restricted blocking snapshot: an incremental one, a whole-table blocking one, another signal type.
        sweeps.onEvent(ChangeEvent.of(Envelopes.signal("execute-snapshot", "{\"data-collections\": [\"public.orders\"], "
                + "\"type\": \"incremental\", \"additional-conditions\": [{\"data-collection\": \"public.orders\", "
                + "\"filter\": \"id > 10\"}]}", 150)), "db.debezium_signal");
        sweeps.onEvent(ChangeEvent.of(Envelopes.signal("execute-snapshot", "{\"data-collections\": [\"public.orders\"], "
                + "\"type\": \"blocking\"}", 160)), "db.debezium_signal");
        sweeps.onEvent(ChangeEvent.of(Envelopes.signal("snapshot-window-open", "{}", 170)), "db.debezium_signal");
        sweeps.onEvent(event("orders", "r", 200, "last"), "db.orders");
        sweep();
        assertThat(calls).as("the next whole-table snapshot sweeps again").containsExactly(new Call("db.orders", 400));
    }
}
