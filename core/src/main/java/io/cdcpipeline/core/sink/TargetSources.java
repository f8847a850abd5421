package io.cdcpipeline.core.sink;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.TableId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Which source table each target (a ClickHouse table, an Elasticsearch index) takes its changes from. Two source
 * tables written to one target (both routed there, or named alike once an index name is lower-cased) would have their
 * rows replace each other wherever the keys are equal, silently; so the second table's changes are refused, naming
 * both, unless the key tells the tables apart (Debezium's ByLogicalTableRouter adds the physical table to the key).
 */
public final class TargetSources {

    /** The key field Debezium's ByLogicalTableRouter adds (key.enforce.uniqueness=true). */
    static final String PHYSICAL_TABLE_KEY_FIELD = "__dbz__physicalTableIdentifier";

    private final Map<Object, TableId> firstSource = new ConcurrentHashMap<>();

    /**
     * @param target what the change is written to, as the sink names it (a table id, an index name)
     * @throws DataException when {@code target} already takes the changes of another source table and the key of
     *         this change does not say which table its row is from
     */
    public void check(Object target, ChangeEvent event) {
        TableId source = event.sourceTable();
        TableId first = firstSource.putIfAbsent(target, source);
        if (first == null || first.equals(source) || keyNamesTheTable(event.key())) {
            return;
        }
        throw new DataException("tables " + first + " and " + source + " are both written to " + target
                + " (routed there, or named alike once lower-cased): rows with equal keys would replace each other. "
                + "Give each table a target of its own (a route or a name override), or put the source table in the "
                + "key (Debezium's ByLogicalTableRouter with key.enforce.uniqueness=true)");
    }

    private static boolean keyNamesTheTable(Struct key) {
        return key != null && key.schema().field(PHYSICAL_TABLE_KEY_FIELD) != null;
    }
}
