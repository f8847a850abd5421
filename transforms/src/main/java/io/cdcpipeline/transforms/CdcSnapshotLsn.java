package io.cdcpipeline.transforms;

import io.cdcpipeline.core.snapshot.SnapshotNotification;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * For the Debezium source connector on a Connect worker: copies the LSN of each Debezium notification's source
 * offset into the {@value SnapshotNotification#LSN_HEADER} header. Our sinks need it to sweep a table the snapshot
 * found empty (its {@code TABLE_SCAN_COMPLETED} notification is the only record that says so, and only the source
 * side sees where in the stream it was sent). Every other record, and any record on a sink connector, passes
 * unchanged. The embedded runner stamps notifications itself.
 */
public class CdcSnapshotLsn<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String OVERVIEW_DOC = "Stamps Debezium notifications with the LSN of their source offset, "
            + "so that sinks can sweep tables an initial snapshot found empty.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef();

    @Override
    public void configure(Map<String, ?> props) {
        // nothing to configure
    }

    @Override
    public R apply(R record) {
        if (record instanceof SourceRecord source) {
            SnapshotNotification.stampLsn(source);
        }
        return record;
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
