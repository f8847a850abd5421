package io.cdcpipeline.lag.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorConfigTest {

    static final String VALID = """
            postgres:
              url: jdbc:postgresql://127.0.0.1:25432/shop
              user: postgres
              password: ${env:PGPASSWORD}
              slot: shop
            sinks:
              analytics: {type: clickhouse, url: "http://127.0.0.1:28123", database: shop}
              search: {type: elasticsearch, url: "http://127.0.0.1:29200", index: shop_cdc_heartbeat}
            slos:
              - {sink: search, threshold: 30s, objective: 99%}
              - {name: bi, sink: analytics, threshold: 5m, warning: 2m, objective: 99.9%, window: 7d, for: 30s}
            alerts:
              webhook: http://127.0.0.1:9093/hook
            """;

    static MonitorConfig load(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("lag.yaml");
        Files.writeString(file, yaml);
        return MonitorConfig.load(file, Map.of("PGPASSWORD", "secret"));
    }

    @Test
    void readsSettingsWithDefaults(@TempDir Path dir) throws Exception {
        MonitorConfig config = load(dir, VALID);
        assertThat(config.postgres().password()).isEqualTo("secret");
        assertThat(config.heartbeat().table()).isEqualTo("public.cdc_heartbeat");
        assertThat(config.sinks().get("analytics").target()).isEqualTo("cdc_heartbeat");
        MonitorConfig.Slo search = config.slos().get(0);
        assertThat(search.name()).isEqualTo("search-freshness");
        assertThat(search.critical()).isEqualTo(Duration.ofSeconds(30));
        assertThat(search.warning()).isEqualTo(Duration.ofSeconds(20));
        assertThat(search.objective()).isEqualTo(0.99);
        MonitorConfig.Slo bi = config.slos().get(1);
        assertThat(bi.objective()).isEqualTo(0.999, Offset.offset(1e-9));
        assertThat(bi.window()).isEqualTo(Duration.ofDays(7));
        assertThat(bi.alertFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.alerts().groupBy()).containsExactly("sink");
        assertThat(config.httpPort()).isEqualTo(9464);
    }

    @Test
    void anHttpHostBeyondLoopbackNeedsCredentials(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> load(dir, VALID + "http: {host: 0.0.0.0}\n")).hasMessageContaining("http.host")
                .hasMessageContaining("set http.user and http.password");
        assertThatThrownBy(() -> load(dir, VALID + "http: {host: 0.0.0.0, user: prometheus}\n"))
                .hasMessageContaining("give both user and password");
        MonitorConfig open = load(dir, VALID + "http:\n  host: 0.0.0.0\n  user: prometheus\n  password: ${env:PGPASSWORD}\n");
        assertThat(open.httpAuth()).isEqualTo(new MonitorConfig.HttpAuth("prometheus", "secret"));
        assertThat(open.httpAuth().toString()).doesNotContain("secret");
        assertThat(load(dir, VALID).httpAuth()).as("loopback, the default: no credentials needed").isNull();
    }

    @Test
    void errorsNameTheSettingByPath(@TempDir Path dir) {
        assertThatThrownBy(() -> load(dir, VALID.replace("threshold: 30s", "threshold: 30 seconds")))
                .hasMessageContaining("slos[0].threshold").hasMessageContaining("30 seconds");
        assertThatThrownBy(() -> load(dir, VALID.replace("sink: search,", "sink: serach,")))
                .hasMessageContaining("slos[0].sink").hasMessageContaining("serach");
        assertThatThrownBy(() -> load(dir, VALID.replace("type: clickhouse", "type: clickhose")))
                .hasMessageContaining("sinks.analytics.type");
        assertThatThrownBy(() -> load(dir, VALID.replace("objective: 99%}", "objective: 120%}")))
                .hasMessageContaining("slos[0].objective");
        assertThatThrownBy(() -> load(dir, VALID.replace("  slot: shop", "  slto: shop")))
                .hasMessageContaining("postgres.slto").hasMessageContaining("unknown setting");
        assertThatThrownBy(() -> load(dir, VALID.replace("${env:PGPASSWORD}", "${env:NOPE}")))
                .hasMessageContaining("postgres.password").hasMessageContaining("NOPE");
        assertThatThrownBy(() -> load(dir, VALID.replace("warning: 2m", "warning: 10m")))
                .hasMessageContaining("slos[1].warning").hasMessageContaining("critical");
        assertThatThrownBy(() -> load(dir, VALID.replace("jdbc:postgresql://", "postgres://")))
                .hasMessageContaining("postgres.url");
    }

    @Test
    void secretsMayComeFromAPropertiesFileAsInConnectorConfigs(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=from-file\n");
        String fromFile = VALID.replace("${env:PGPASSWORD}", "${file:" + secrets + ":pg.password}");
        assertThat(load(dir, fromFile).postgres().password()).isEqualTo("from-file");
        assertThatThrownBy(() -> load(dir, fromFile.replace(":pg.password}", ":pg.pasword}")))
                .hasMessageContaining("postgres.password").hasMessageContaining("pg.pasword")
                .hasMessageContaining("has no entry 'pg.pasword'");
        Path missing = dir.resolve("no-such.properties");
        assertThatThrownBy(() -> load(dir, fromFile.replace(secrets.toString(), missing.toString())))
                .hasMessageContaining("postgres.password").hasMessageContaining(missing.toString());
    }

    static final String PER_TABLE = VALID.replace("database: shop}", "database: shop,\n"
            + "                  metrics: {jmx: \"127.0.0.1:9010\", connector: shop-clickhouse}}")
            + "  - {sink: analytics, table: \"shop.*\", threshold: 1m}\n";

    @Test
    void perTableSlosReadTheSinksMetrics(@TempDir Path dir) throws Exception {
        MonitorConfig config = load(dir, PER_TABLE.replace("alerts:\n  webhook: http://127.0.0.1:9093/hook\n", "")
                + "alerts: {webhook: \"http://127.0.0.1:9093/hook\"}\n");
        MonitorConfig.Sink analytics = config.sinks().get("analytics");
        assertThat(analytics.metrics().jmxUrl())
                .isEqualTo("service:jmx:rmi://127.0.0.1:9010/jndi/rmi://127.0.0.1:9010/jmxrmi");
        assertThat(analytics.metrics().connector()).isEqualTo("shop-clickhouse");
        assertThat(analytics.heartbeatTarget()).isEqualTo("shop.cdc_heartbeat");
        MonitorConfig.Slo tables = config.slos().get(2);
        assertThat(tables.name()).isEqualTo("analytics-tables-freshness");
        assertThat(tables.wholeSink()).isFalse();
        assertThat(tables.covers("shop.orders")).isTrue();
        assertThat(tables.covers("shopx.orders")).isFalse();
        assertThat(config.slos().get(0).wholeSink()).isTrue();
    }

    @Test
    void aPerTableSloNeedsTheSinksMetrics(@TempDir Path dir) {
        String yaml = VALID.replace("alerts:\n  webhook: http://127.0.0.1:9093/hook\n", "")
                + "  - {sink: search, table: \"shop_*\", threshold: 1m}\n";
        assertThatThrownBy(() -> load(dir, yaml)).hasMessageContaining("slos[2].table")
                .hasMessageContaining("sinks.search.metrics");
        assertThatThrownBy(() -> load(dir, VALID.replace("index: shop_cdc_heartbeat}", "index: shop_cdc_heartbeat, "
                + "metrics: {jmx: \"localhost\", connector: c}}"))).hasMessageContaining("sinks.search.metrics.jmx")
                .hasMessageContaining("host:port");
    }

    @Test
    void consistencyChecksAreReadWithDefaultsAndTheirErrorsNamed(@TempDir Path dir) throws Exception {
        Path pipeline = Files.writeString(dir.resolve("pipeline.properties"), "sinks=clickhouse\n");
        MonitorConfig config = load(dir, VALID + "consistency:\n  pipeline: " + pipeline + "\n");
        assertThat(config.consistency().pipeline()).isEqualTo(pipeline);
        assertThat(config.consistency().every()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.consistency().light()).isEqualTo(1000);
        assertThat(config.consistency().tables()).isEmpty();
        assertThat(load(dir, VALID).consistency()).as("optional").isNull();

        assertThatThrownBy(() -> load(dir, VALID + "consistency:\n  pipeline: " + pipeline + "\n  connect.configs: "
                + dir + "\n")).hasMessageContaining("consistency").hasMessageContaining("either pipeline");
        assertThatThrownBy(() -> load(dir, VALID + "consistency:\n  pipeline: " + dir.resolve("nope") + "\n"))
                .hasMessageContaining("consistency.pipeline").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> load(dir, VALID + "consistency:\n  pipeline: " + pipeline + "\n  light: -1\n"))
                .hasMessageContaining("consistency.light");
        assertThatThrownBy(() -> load(dir, VALID + "consistency:\n  pipeline: " + pipeline + "\n  tables: [orders]\n"))
                .hasMessageContaining("consistency.tables").hasMessageContaining("'orders' is not <schema>.<table>");
    }

    @Test
    void sinkLoginsAndSlotLimitsAreCheckedByPath(@TempDir Path dir) throws Exception {
        MonitorConfig config = load(dir, VALID.replace("database: shop}", "database: shop, user: bi, "
                + "password: \"${env:PGPASSWORD}\"}").replace("slot: shop", "slot: shop\n  slot.retained.limit: 2GB"));
        assertThat(config.sinks().get("analytics").access()).isEqualTo(new MonitorConfig.Access("bi", "secret", null,
                null, true));
        assertThat(config.sinks().get("search").access()).isEqualTo(MonitorConfig.Access.NONE);
        assertThat(config.postgres().slotRetainedLimit()).isEqualTo(2L << 30);
        assertThatThrownBy(() -> load(dir, VALID.replace("index: shop_cdc_heartbeat}",
                "index: shop_cdc_heartbeat, user: u, api.key: k}"))).hasMessageContaining("sinks.search.api.key")
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> load(dir, VALID.replace("database: shop}", "database: shop, password: p}")))
                .hasMessageContaining("sinks.analytics.password").hasMessageContaining("needs its user");
        assertThatThrownBy(() -> load(dir, VALID.replace("index: shop_cdc_heartbeat}",
                "index: shop_cdc_heartbeat, ca.file: /no/such/ca.pem}"))).hasMessageContaining("sinks.search.ca.file")
                .hasMessageContaining("/no/such/ca.pem");
        assertThatThrownBy(() -> load(dir, VALID.replace("index: shop_cdc_heartbeat}",
                "index: shop_cdc_heartbeat, tls.verify: maybe}"))).hasMessageContaining("sinks.search.tls.verify");
        assertThatThrownBy(() -> load(dir, VALID.replace("slot: shop", "slot: shop\n  slot.retained.limit: lots")))
                .hasMessageContaining("postgres.slot.retained.limit").hasMessageContaining("lots");
    }
}
