package io.cdcpipeline.embedded;

import io.cdcpipeline.core.snapshot.SignalTable;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** The pipeline file's signal table, for the commands that need one. */
final class SignalTables {

    private SignalTables() {
    }

    /** The source's signal table; a ConfigException says how to set one up for {@code purpose}. */
    static SignalTable of(Map<String, String> source, String purpose) {
        String table = source.get("signal.data.collection");
        if (table == null || table.isBlank()) {
            throw new ConfigException(PipelineFile.SOURCE_PREFIX + "signal.data.collection", null, "is needed for "
                    + purpose + ": name a signal table (CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, "
                    + "type varchar(32) NOT NULL, data varchar(2048))) and add it to source.table.include.list");
        }
        return new SignalTable(table);
    }
}
