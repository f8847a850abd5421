package io.cdcpipeline.lag;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.CdcCommand;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A new user's first command, {@code bin/cdc demo}, run as they run it on the stack that is up: its first summary
 * comes only once both copies hold the snapshot, the lag monitor runs beside the pipeline and reports both copies
 * healthy, and once it ends no replication slot is left to hold Postgres's WAL.
 */
@RealStack
class DemoIT {

    private static final String LAG_PORT = "29465";

    @Test
    void theDemoShowsBothCopiesAndTheirFreshnessAndLeavesNoSlot(StackEndpoints stack) throws Exception {
        // This JVM's classpath holds the runner and the monitor: no build runs inside the build.
        String classpath = System.getProperty("java.class.path");
        CdcCommand.Result demo = CdcCommand.run(Map.of("CDC_RUNNER_CLASSPATH", classpath, "CDC_LAG_CLASSPATH",
                classpath, "CDC_DEMO_LAG_PORT", LAG_PORT), "demo", "--seconds", "15");

        assertThat(demo.exitCode()).as(demo.output()).isZero();
        Matcher snapshot = Pattern.compile("the initial snapshot arrived: (\\d+) orders in ClickHouse "
                + "demo.orders_current, (\\d+) in Elasticsearch demo_orders").matcher(demo.output());
        assertThat(snapshot.find()).as("the first summary waits for both copies").isTrue();
        assertThat(Integer.parseInt(snapshot.group(1))).isGreaterThanOrEqualTo(500);
        assertThat(Integer.parseInt(snapshot.group(2))).isGreaterThanOrEqualTo(500);

        assertThat(demo.output()).as("the lag monitor's page and command are shown")
                .contains("http://127.0.0.1:" + LAG_PORT + "/")
                .contains("bin/cdc lag status --url http://127.0.0.1:" + LAG_PORT);
        assertThat(demo.output()).as("the monitor's status, both copies measured and within their SLOs")
                .containsPattern("search +search-fresh +\\* +[0-9.]+s +10s +ok +no ")
                .containsPattern("analytics +analytics-fresh +\\* +[0-9.]+s +30s +ok +no ")
                .contains("slot cdc_demo: active")
                .containsPattern("(?m)^healthy$");

        assertThat(demo.output()).contains("replication slot cdc_demo dropped");
        try (Connection conn = DriverManager.getConnection(stack.jdbcUrl("postgres"), stack.pgUser(), "");
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'cdc_demo'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("replication slots named cdc_demo after the demo").isZero();
        }
    }
}
