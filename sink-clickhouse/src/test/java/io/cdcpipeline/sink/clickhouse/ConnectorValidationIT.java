package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ClickHouseTestCluster;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** What Connect's validate call reports before anything runs: each error under the key at fault. */
@RealStack
class ConnectorValidationIT {

    private final ClickHouseSinkConnector connector = new ClickHouseSinkConnector();

    @Test
    void aGoodConfigValidatesAgainstTheServer(ClickHouseTestDatabase ch) {
        assertThat(errors(config(ch))).isEmpty();
    }

    @Test
    void anUnreachableServerIsNamed(ClickHouseTestDatabase ch) {
        Map<String, String> config = config(ch);
        config.put(ClickHouseSinkConfig.URL, "http://127.0.0.1:1");
        config.put(ClickHouseSinkConfig.CONNECT_TIMEOUT_MS, "500");
        assertThat(errors(config)).containsOnlyKeys(ClickHouseSinkConfig.URL);
        assertThat(errors(config).get(ClickHouseSinkConfig.URL)).contains("cannot be reached").contains("127.0.0.1:1");
    }

    @Test
    void aMissingDatabaseIsNamed(ClickHouseTestDatabase ch) {
        Map<String, String> config = config(ch);
        config.put(ClickHouseSinkConfig.DATABASE, "no_such_db");
        assertThat(errors(config).get(ClickHouseSinkConfig.DATABASE)).contains("no_such_db").contains("does not exist");
    }

    @Test
    void malformedTableOverridesAndUnsafeNamesAreNamed(ClickHouseTestDatabase ch) {
        Map<String, String> unknownOption = config(ch);
        unknownOption.put("table.override.public.orders.engine", "Log");
        assertThat(errors(unknownOption).toString()).contains("table.override.public.orders.engine")
                .contains("unknown table override");

        Map<String, String> noTable = config(ch);
        noTable.put("table.override.orders.name", "x");
        assertThat(errors(noTable).toString()).contains("table.override.orders.name").contains("<schema>.<table>");

        Map<String, String> unsafeName = config(ch);
        unsafeName.put("table.override.public.orders.name", "bad\nname");
        assertThat(errors(unsafeName).toString()).contains("table.override.public.orders.name").contains("control character");

        Map<String, String> statement = config(ch);
        statement.put("table.override.public.orders.partition.by", "toYYYYMM(ts); DROP TABLE x");
        assertThat(errors(statement).toString()).contains("table.override.public.orders.partition.by").contains("';'");

        Map<String, String> database = config(ch);
        database.put(ClickHouseSinkConfig.DATABASE, "");
        assertThat(errors(database)).containsKey(ClickHouseSinkConfig.DATABASE);

        Map<String, String> backoff = config(ch);
        backoff.put(ClickHouseSinkConfig.RETRY_BACKOFF_MAX_MS, "10");
        assertThat(errors(backoff).toString()).contains(ClickHouseSinkConfig.RETRY_BACKOFF_MAX_MS);

        Map<String, String> badFill = config(ch);
        badFill.put(ClickHouseSinkConfig.DROPPED_COLUMN_FILL, "zero");
        assertThat(errors(badFill)).containsKey(ClickHouseSinkConfig.DROPPED_COLUMN_FILL);
    }

    @Test
    void aClusterTheServerLacksOrAMissingMacroIsNamed(ClickHouseTestCluster cluster) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", ClickHouseSinkConnector.class.getName());
        config.put(ClickHouseSinkConfig.URL, cluster.urls());
        config.put(ClickHouseSinkConfig.DATABASE, cluster.database());
        config.put(ClickHouseSinkConfig.CLUSTER, cluster.name());
        assertThat(errors(config)).as("the stack's cluster, every macro defined").isEmpty();

        config.put(ClickHouseSinkConfig.CLUSTER, "no_such_cluster");
        assertThat(errors(config)).containsOnlyKeys(ClickHouseSinkConfig.CLUSTER);
        assertThat(errors(config).get(ClickHouseSinkConfig.CLUSTER)).contains("no cluster 'no_such_cluster'");

        config.put(ClickHouseSinkConfig.CLUSTER, cluster.name());
        config.put(ClickHouseSinkConfig.CLUSTER_ZOOKEEPER_PATH, "/clickhouse/tables/{layer}-{shard}/{table}");
        assertThat(errors(config).get(ClickHouseSinkConfig.CLUSTER)).contains("no macro {layer}");
    }

    private static Map<String, String> config(ClickHouseTestDatabase ch) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", ClickHouseSinkConnector.class.getName());
        config.put(ClickHouseSinkConfig.URL, ch.url());
        config.put(ClickHouseSinkConfig.DATABASE, ch.name());
        return config;
    }

    private Map<String, String> errors(Map<String, String> config) {
        List<ConfigValue> values = connector.validate(config).configValues();
        return values.stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, v -> String.join("; ", v.errorMessages())));
    }
}
