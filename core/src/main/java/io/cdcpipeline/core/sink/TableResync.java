package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.SourceCheckConfig;
import io.cdcpipeline.core.snapshot.SignalTable;
import java.sql.Connection;
import java.sql.SQLException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;

/**
 * A sink's request for a fresh copy of a source table's rows, which it needs after a change it cannot apply to the
 * rows it wrote (Elasticsearch: a new index for a column type its mapping cannot take). With the source database
 * and its signal table configured ({@link SourceCheckConfig}) the sink inserts Debezium's {@code execute-snapshot}
 * signal itself, the same in the embedded runner and on a Connect cluster; without them ({@link #automatic} false)
 * the caller refuses the change with the fix instead.
 */
public final class TableResync {

    private final String sinkName;
    private final AbstractConfig config;
    private final SignalTable signals;
    private final SinkMetrics metrics;
    private final Logger log;

    public TableResync(String sinkName, AbstractConfig config, SinkMetrics metrics, Logger log) {
        this.sinkName = sinkName;
        this.config = config;
        String signalTable = config.getString(SourceCheckConfig.SIGNAL_TABLE);
        this.signals = SourceCheckConfig.isSet(config) && !signalTable.isEmpty() ? new SignalTable(signalTable) : null;
        this.metrics = metrics;
        this.log = log;
    }

    /** Whether the sink can ask Debezium for snapshots: the source database and its signal table are set. */
    public boolean automatic() {
        return signals != null;
    }

    /**
     * Asks for an incremental snapshot of {@code table}, whose rows in {@code target} need it for {@code reason}.
     *
     * @throws RetriableException when the signal could not be written (the batch is tried again)
     */
    public void request(TableId table, String target, String reason) {
        if (signals == null) {
            throw new IllegalStateException("no signal table to ask for a snapshot of " + table + " through: check "
                    + "automatic() first");
        }
        try (Connection db = SourceCheckConfig.connect(config)) {
            String id = signals.executeSnapshot(db, table, null, "resync");
            metrics.targetCounter(target, "resyncs-requested", "Incremental snapshots the sink asked for after a "
                    + "schema change, to bring the rows written before up to date");
            log.info("{} sink: {}; asked Debezium for an incremental snapshot of {} to bring the rows of {} written "
                    + "before up to date (signal {} in {})", sinkName, reason, table, target, id, signals.name());
        } catch (SQLException e) {
            throw new RetriableException(sinkName + " sink: could not ask for a snapshot of " + table + " (" + reason
                    + ") through signal table " + signals.name() + " at " + config.getString(SourceCheckConfig.URL)
                    + ": " + e.getMessage() + " (" + SourceCheckConfig.USER + " needs INSERT on it)", e);
        }
    }
}
