package io.cdcpipeline.sink.clickhouse;

import io.cdcpipeline.core.sink.ConfiguredSinkConnector;
import io.cdcpipeline.sink.clickhouse.types.SqlText;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Kafka Connect sink connector that keeps ClickHouse tables in step with Postgres tables from Debezium change
 * events: one {@code ReplacingMergeTree} table per source table, versioned by the change's LSN, with a
 * current-state view for queries. Validation goes beyond the field checks: table overrides must parse, and the
 * server must answer and hold the database.
 */
public class ClickHouseSinkConnector extends ConfiguredSinkConnector {

    static final String VERSION = versionOf(ClickHouseSinkConnector.class);
    private static final Pattern MACRO = Pattern.compile("\\{(\\w+)}");

    @Override
    public Class<? extends Task> taskClass() {
        return ClickHouseSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return ClickHouseSinkConfig.CONFIG_DEF;
    }

    @Override
    protected void checkConfig(Map<String, String> props) {
        new ClickHouseSinkConfig(props); // overrides and cross-field rules, not only the ConfigDef
    }

    @Override
    protected void checkServer(Map<String, String> props, Config result) {
        ClickHouseSinkConfig config = new ClickHouseSinkConfig(props);
        try (ClickHouseConnection connection = ClickHouseConnection.open(config)) {
            String found = new String(connection.query("SELECT count() FROM system.databases WHERE name = "
                    + SqlText.literal(config.database()) + " FORMAT TabSeparated"), StandardCharsets.UTF_8).trim();
            if (!"1".equals(found) && !config.autoCreateDatabase()) {
                addError(result, ClickHouseSinkConfig.DATABASE, "database '" + config.database()
                        + "' does not exist on " + config.url() + "; create it first (CREATE DATABASE ...) or set "
                        + ClickHouseSinkConfig.AUTO_CREATE_DATABASE + "=true");
            }
            if (!config.cluster().isEmpty()) {
                String problem = clusterProblem(connection, config);
                if (problem != null) {
                    addError(result, ClickHouseSinkConfig.CLUSTER, problem);
                }
            }
        } catch (RuntimeException e) {
            addError(result, ClickHouseSinkConfig.URL, "ClickHouse at " + config.url() + " cannot be reached as user '"
                    + config.user() + "': " + e.getMessage());
        }
    }

    /** Why the servers cannot hold the cluster's tables: no such cluster, or a macro of the replicated path missing. */
    private static String clusterProblem(ClickHouseConnection connection, ClickHouseSinkConfig config) {
        String hosts = connection.queryRows("SELECT count() FROM system.clusters WHERE cluster = "
                + SqlText.literal(config.cluster()) + " FORMAT TabSeparated").get(0)[0];
        if ("0".equals(hosts)) {
            return "the ClickHouse server at " + config.url() + " has no cluster '" + config.cluster()
                    + "' in its remote_servers";
        }
        Set<String> macros = new HashSet<>();
        connection.queryRows("SELECT macro FROM system.macros FORMAT TabSeparated").forEach(row -> macros.add(row[0]));
        Matcher macro = MACRO.matcher(config.clusterZooKeeperPath() + " " + config.clusterReplicaName());
        while (macro.find()) {
            if (!Set.of("database", "table").contains(macro.group(1)) && !macros.contains(macro.group(1))) {
                return "the ClickHouse server at " + config.url() + " has no macro {" + macro.group(1) + "} (used by "
                        + ClickHouseSinkConfig.CLUSTER_ZOOKEEPER_PATH + " or " + ClickHouseSinkConfig.CLUSTER_REPLICA_NAME
                        + "); define it in the server's <macros>";
            }
        }
        return null;
    }
}
