package io.cdcpipeline.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debezium Postgres connector properties for a test database of the stack: connection, pgoutput, a slot and a
 * filtered publication named after {@code name}, and the captured tables. Tests add or replace what they need.
 */
public final class DebeziumSourceConfig {

    private DebeziumSourceConfig() {
    }

    /**
     * @param name names the slot, publication and topic prefix (and with them Debezium's JMX beans), so two
     *             connectors on one database need two names
     */
    public static Map<String, String> of(StackEndpoints stack, PostgresTestDatabase database, String name,
            List<String> tables) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        props.put("database.hostname", stack.pgHost());
        props.put("database.port", Integer.toString(stack.pgPort()));
        props.put("database.user", stack.pgUser());
        props.put("database.password", "");
        props.put("database.dbname", database.name());
        props.put("topic.prefix", name);
        props.put("plugin.name", "pgoutput");
        props.put("slot.name", name);
        props.put("publication.name", name + "_pub");
        props.put("publication.autocreate.mode", "filtered");
        props.put("table.include.list", String.join(",", tables));
        props.put("poll.interval.ms", "50");
        // Debezium's own heartbeats, as the deployed configs have them: the runner must keep them from the sinks
        // (a sink would dead-letter them), which every pipeline test then checks along the way.
        props.put("heartbeat.interval.ms", "1000");
        return props;
    }
}
