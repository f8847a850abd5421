package io.cdcpipeline.lag.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The lag monitor's config file (YAML): the source database and its heartbeat, the sinks to measure, the freshness
 * SLOs, where alerts go and where the monitor listens. Loading checks everything it can without connecting; every
 * error names its setting by path. See docs/lag-monitor.md.
 */
public record MonitorConfig(Postgres postgres, Heartbeat heartbeat, Duration checkInterval, Map<String, Sink> sinks,
        List<Slo> slos, Alerts alerts, int httpPort, Connect connect, String httpHost, Consistency consistency,
        HttpAuth httpAuth) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1");

    /** The source database; {@code slot} is the replication slot whose retained WAL is watched (optional). */
    /**
     * @param slotRetainedLimit WAL the slot may keep before it counts as in trouble, in bytes; 0: half of the
     *                          server's {@code max_slot_wal_keep_size}, or {@value #DEFAULT_RETAINED_LIMIT_GB} GB when
     *                          that is unlimited
     */
    public record Postgres(String url, String user, String password, String slot, long slotRetainedLimit) {
        public Postgres(String url, String user, String password, String slot) {
            this(url, user, password, slot, 0);
        }
    }

    /** The retained-WAL limit of a slot on a server whose max_slot_wal_keep_size is unlimited. */
    public static final int DEFAULT_RETAINED_LIMIT_GB = 10;

    /** The heartbeat row the monitor commits every {@code interval} into {@code table} (schema.table). */
    public record Heartbeat(String table, Duration interval) {
        public String schema() {
            return table.substring(0, table.indexOf('.'));
        }

        public String name() {
            return table.substring(table.indexOf('.') + 1);
        }
    }

    /**
     * A sink to measure: ClickHouse ({@code database}, {@code table} of the heartbeat) or Elasticsearch ({@code index});
     * {@code metrics} (optional) is where its per-table metrics are read.
     */
    public record Sink(String name, Kind kind, String url, String database, String target, SinkMetrics metrics,
            Access access) {
        public enum Kind { CLICKHOUSE, ELASTICSEARCH }

        public Sink(String name, Kind kind, String url, String database, String target, SinkMetrics metrics) {
            this(name, kind, url, database, target, metrics, Access.NONE);
        }

        /**
         * The sink's endpoints: {@code url} may list several, separated by commas (the replicas of a ClickHouse
         * cluster, the nodes of an Elasticsearch cluster).
         */
        public List<String> urls() {
            return Arrays.stream(url.split(",")).map(String::trim).toList();
        }

        /** How the sink's metrics name its heartbeat target: database.table (ClickHouse) or the index. */
        public String heartbeatTarget() {
            return kind == Kind.CLICKHOUSE ? database + "." + target : target;
        }
    }

    /**
     * How the monitor logs in to a sink's server: a user and password (HTTP Basic; ClickHouse and Elasticsearch), or
     * an Elasticsearch API key (base64 of id:key, as Elasticsearch returns it as "encoded"); a CA file (PEM) to trust
     * for an https URL; {@code verifyTls} false trusts any certificate (never the default). Secrets come through
     * {@code ${file:...}} or {@code ${env:...}}, as in the sinks' own configs.
     */
    public record Access(String user, String password, String apiKey, String caFile, boolean verifyTls) {
        public static final Access NONE = new Access(null, null, null, null, true);
    }

    /**
     * Where a sink's own metrics are read: the JMX service URL of the process running it (an embedded runner with
     * {@code metrics.jmx.port}, or a Connect worker with {@code JMX_PORT}) and the connector name its metrics carry
     * (the runner names its sinks {@code <pipeline name>-<sink name>}).
     */
    public record SinkMetrics(String jmxUrl, String connector) {
    }

    /**
     * A freshness objective for one sink: a minute is good when freshness stays under {@code threshold}; the
     * objective is the fraction of good minutes over {@code window}. {@code warning} and {@code critical} are the
     * freshness levels that raise alerts of that severity; {@code stallAfter} is how long a sink may show no progress
     * while newer heartbeats wait before it counts as stalled; {@code alertFor} how long a level must hold before it
     * alerts (Prometheus's {@code for}), so a one-check blip pages nobody.
     */
    public record Slo(String name, String sink, String table, Duration threshold, double objective, Duration window,
            Duration warning, Duration critical, Duration stallAfter, Duration alertFor) {

        /** True for an SLO of the sink as a whole (its heartbeat); false for one tracked per matching table. */
        public boolean wholeSink() {
            return table == null;
        }

        /** Whether a table (as the sink's metrics name it) falls under this per-table SLO; glob with * and ?. */
        public boolean covers(String target) {
            return table != null && target.matches(glob(table));
        }

        private static String glob(String pattern) {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            return regex.toString();
        }
    }

    /**
     * Connect mode (optional): the worker's REST URL for connector and task states, and Kafka's bootstrap servers for
     * the sink connectors' consumer-group lag; {@code connectors} limits which sink connectors are watched (empty:
     * every sink connector the worker runs).
     */
    public record Connect(URI url, String kafka, List<String> connectors) {
    }

    /**
     * HTTP Basic credentials every request to the monitor's HTTP must carry ({@code http.user}, {@code http.password},
     * the password best through {@code ${file:...}}); null when not set, which only a loopback {@code http.host}
     * allows: /metrics, /status and the page name tables, sinks and servers.
     */
    public record HttpAuth(String user, String password) {
        @Override
        public String toString() {
            return "HttpAuth[user=" + user + ", password=********]";
        }
    }

    /**
     * Continuous consistency checks (optional): every {@code every}, the copies the pipeline file (or a Connect
     * deployment's connector files) describes are checked against Postgres as {@code bin/cdc validate} does: a light
     * check of {@code light} keys picked at random on each side, or (0) a full one; {@code tables} limits which tables
     * (empty: every captured table). Drift that holds over two checks in a row raises {@code CdcConsistencyDrift}.
     * Every {@code schemaWatch} (zero: never) the columns of those tables are read from Postgres: a table whose columns
     * changed is checked again, alone, {@code settle} later (a schema change triggers a consistency review).
     */
    public record Consistency(Path pipeline, Path connectConfigs, Duration every, int light, Duration settle,
            List<String> tables, Duration schemaWatch) {
    }

    /** Where alerts go (Alertmanager's webhook format); {@code webhook} null means none are sent. */
    public record Alerts(URI webhook, List<String> groupBy, Duration groupWait, Duration repeatInterval) {
    }

    public static MonitorConfig load(Path file) {
        return load(file, System.getenv());
    }

    public static MonitorConfig load(Path file, Map<String, String> environment) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read as YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(file + ": expected a YAML mapping with postgres, sinks and slos");
        }
        return parse(new ConfigNode(root, "", environment));
    }

    static MonitorConfig parse(ConfigNode root) {
        root.onlyKeys("postgres", "heartbeat", "check", "sinks", "slos", "alerts", "http", "connect", "consistency");
        ConfigNode pg = root.child("postgres");
        pg.onlyKeys("url", "user", "password", "slot", "slot.retained.limit");
        String url = pg.text("url");
        if (!url.startsWith("jdbc:postgresql://")) {
            throw pg.child("url").error("'" + url + "' is not a JDBC URL (jdbc:postgresql://host:port/database)");
        }
        Postgres postgres = new Postgres(url, pg.text("user"), pg.text("password", ""), pg.text("slot", null),
                pg.bytes("slot.retained.limit", 0));

        ConfigNode hb = root.child("heartbeat");
        hb.onlyKeys("table", "interval");
        String table = hb.text("table", "public.cdc_heartbeat");
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*")) {
            throw hb.child("table").error("'" + table + "' is not <schema>.<table> (letters, digits, _)");
        }
        Heartbeat heartbeat = new Heartbeat(table, hb.duration("interval", Duration.ofSeconds(5)));

        ConfigNode check = root.child("check");
        check.onlyKeys("interval");
        Duration checkInterval = check.duration("interval", Duration.ofSeconds(5));

        Map<String, Sink> sinks = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> entry : root.child("sinks").entries()) {
            sinks.put(entry.getKey(), sink(entry.getKey(), entry.getValue(), heartbeat));
        }
        if (sinks.isEmpty()) {
            throw root.child("sinks").error("required: at least one sink to measure");
        }

        List<Slo> slos = new ArrayList<>();
        for (ConfigNode item : root.child("slos").items()) {
            slos.add(slo(item, sinks, slos));
        }

        ConfigNode al = root.child("alerts");
        al.onlyKeys("webhook", "group.by", "group.wait", "repeat.interval");
        URI webhook = null;
        if (al.has("webhook")) {
            webhook = uri(al, "webhook");
        }
        List<String> groupBy = al.texts("group.by", List.of("sink"));
        for (String label : groupBy) {
            if (!List.of("sink", "slo", "severity", "alertname").contains(label)) {
                throw al.child("group.by").error("'" + label + "' is not a label alerts carry (sink, slo, severity, "
                        + "alertname)");
            }
        }
        Alerts alerts = new Alerts(webhook, groupBy, al.durationOrZero("group.wait", Duration.ofSeconds(5)),
                al.duration("repeat.interval", Duration.ofHours(4)));

        ConfigNode http = root.child("http");
        http.onlyKeys("port", "host", "user", "password");
        String httpHost = http.text("host", "127.0.0.1");
        HttpAuth httpAuth = null;
        if (!http.text("user", "").isEmpty() || !http.text("password", "").isEmpty()) {
            if (http.text("user", "").isEmpty() || http.text("password", "").isEmpty()) {
                throw http.error("give both user and password (HTTP Basic), or neither");
            }
            httpAuth = new HttpAuth(http.text("user"), http.text("password"));
        } else if (!LOOPBACK.contains(httpHost)) {
            throw http.child("host").error("'" + httpHost + "' serves /metrics, /status and the status page beyond "
                    + "this machine: set http.user and http.password (HTTP Basic; Prometheus: basic_auth), or bind "
                    + "127.0.0.1");
        }
        Connect connect = null;
        if (root.has("connect")) {
            ConfigNode node = root.child("connect");
            node.onlyKeys("url", "kafka", "connectors");
            connect = new Connect(uri(node, "url"), node.text("kafka"), node.texts("connectors", List.of()));
        }
        return new MonitorConfig(postgres, heartbeat, checkInterval, sinks, List.copyOf(slos), alerts,
                http.port("port", 9464), connect, httpHost, consistency(root), httpAuth);
    }

    private static Consistency consistency(ConfigNode root) {
        if (!root.has("consistency")) {
            return null;
        }
        ConfigNode node = root.child("consistency");
        node.onlyKeys("pipeline", "connect.configs", "every", "light", "settle", "tables", "schema.watch");
        if (node.has("pipeline") == node.has("connect.configs")) {
            throw node.error("name either pipeline (a pipeline file) or connect.configs (a Connect deployment's "
                    + "connector files)");
        }
        Path pipeline = node.has("pipeline") ? Path.of(node.text("pipeline")) : null;
        Path connectConfigs = node.has("connect.configs") ? Path.of(node.text("connect.configs")) : null;
        Path named = pipeline != null ? pipeline : connectConfigs;
        if (!Files.exists(named)) {
            throw node.child(pipeline != null ? "pipeline" : "connect.configs").error("'" + named + "' does not exist");
        }
        int light = Integer.parseInt(node.text("light", "1000"));
        if (light < 0) {
            throw node.child("light").error("must be 0 (a full check) or a number of keys");
        }
        List<String> tables = node.texts("tables", List.of());
        for (String table : tables) {
            if (!table.matches("[^.]+\\.[^.]+")) {
                throw node.child("tables").error("'" + table + "' is not <schema>.<table>");
            }
        }
        return new Consistency(pipeline, connectConfigs, node.duration("every", Duration.ofMinutes(15)), light,
                node.duration("settle", Duration.ofSeconds(5)), tables,
                node.durationOrZero("schema.watch", Duration.ofSeconds(30)));
    }

    private static Sink sink(String name, ConfigNode node, Heartbeat heartbeat) {
        if (!NAME.matcher(name).matches()) {
            throw node.error("a sink name is letters, digits, _, . and -");
        }
        String type = node.text("type");
        return switch (type) {
            case "clickhouse" -> {
                node.onlyKeys("type", "url", "database", "table", "metrics", "user", "password", "ca.file",
                        "tls.verify");
                yield new Sink(name, Sink.Kind.CLICKHOUSE, urls(node, "url"), node.text("database"),
                        node.text("table", heartbeat.name()), sinkMetrics(node), access(node));
            }
            case "elasticsearch" -> {
                node.onlyKeys("type", "url", "index", "metrics", "user", "password", "api.key", "ca.file",
                        "tls.verify");
                yield new Sink(name, Sink.Kind.ELASTICSEARCH, urls(node, "url"), null, node.text("index"),
                        sinkMetrics(node), access(node));
            }
            default -> throw node.child("type").error("'" + type + "' is not a sink type (clickhouse, elasticsearch)");
        };
    }

    private static Access access(ConfigNode sink) {
        String user = sink.text("user", null);
        String apiKey = sink.text("api.key", null);
        if (apiKey != null && user != null) {
            throw sink.child("api.key").error("give either api.key or user and password, not both");
        }
        if (sink.has("password") && user == null) {
            throw sink.child("password").error("a password needs its user");
        }
        String caFile = sink.text("ca.file", null);
        if (caFile != null && !Files.isReadable(Path.of(caFile))) {
            throw sink.child("ca.file").error("'" + caFile + "' is not a readable file (the CA certificate, PEM)");
        }
        String verify = sink.text("tls.verify", "true");
        if (!verify.equals("true") && !verify.equals("false")) {
            throw sink.child("tls.verify").error("'" + verify + "' is not true or false");
        }
        return new Access(user, sink.text("password", null), apiKey, caFile, Boolean.parseBoolean(verify));
    }

    private static SinkMetrics sinkMetrics(ConfigNode sink) {
        if (!sink.has("metrics")) {
            return null;
        }
        ConfigNode node = sink.child("metrics");
        node.onlyKeys("jmx", "connector");
        String jmx = node.text("jmx");
        String url;
        if (jmx.startsWith("service:jmx:")) {
            url = jmx;
        } else if (jmx.matches("[A-Za-z0-9_.-]+:[0-9]{1,5}")) {
            String host = jmx.substring(0, jmx.lastIndexOf(':'));
            String port = jmx.substring(jmx.lastIndexOf(':') + 1);
            url = "service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi";
        } else {
            throw node.child("jmx").error("'" + jmx + "' is neither host:port nor a JMX service URL (service:jmx:...)");
        }
        return new SinkMetrics(url, node.text("connector"));
    }

    private static Slo slo(ConfigNode node, Map<String, Sink> sinks, List<Slo> earlier) {
        node.onlyKeys("name", "sink", "table", "threshold", "objective", "window", "warning", "critical", "stall.after",
                "for");
        String sink = node.text("sink");
        if (!sinks.containsKey(sink)) {
            throw node.child("sink").error("'" + sink + "' is not one of the sinks " + sinks.keySet());
        }
        String table = node.text("table", null);
        if (table != null && sinks.get(sink).metrics() == null) {
            throw node.child("table").error("a per-table SLO needs the sink's own metrics: set sinks." + sink
                    + ".metrics (jmx, connector)");
        }
        if (table != null && !table.matches("[A-Za-z0-9_.*?$-]+")) {
            throw node.child("table").error("'" + table + "' is not a table name or glob (letters, digits, _ . - $, "
                    + "* and ?)");
        }
        String name = node.text("name", table == null ? sink + "-freshness" : sink + "-tables-freshness");
        if (!NAME.matcher(name).matches() || earlier.stream().anyMatch(s -> s.name().equals(name))) {
            throw node.child("name").error("'" + name + "' must be unique and letters, digits, _, . and -");
        }
        Duration threshold = node.duration("threshold", null);
        if (threshold == null) {
            throw node.child("threshold").error("required: the freshness a good minute stays under, e.g. 30s");
        }
        Duration critical = node.duration("critical", threshold);
        Duration warning = node.duration("warning", critical.multipliedBy(2).dividedBy(3));
        if (warning.compareTo(critical) > 0) {
            throw node.child("warning").error("must not exceed critical (" + critical.toSeconds() + " s)");
        }
        return new Slo(name, sink, table, threshold, node.fraction("objective", 0.99), node.duration("window",
                Duration.ofDays(30)), warning, critical, node.duration("stall.after", Duration.ofMinutes(1)),
                node.durationOrZero("for", Duration.ZERO));
    }

    /** One http(s) URL or several separated by commas, each checked. */
    private static String urls(ConfigNode node, String name) {
        String text = node.text(name);
        for (String url : text.split(",")) {
            uri(node, name, url.trim());
        }
        return text;
    }

    private static URI uri(ConfigNode node, String name) {
        return uri(node, name, node.text(name));
    }

    private static URI uri(ConfigNode node, String name, String text) {
        try {
            URI uri = URI.create(text);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw node.child(name).error("'" + text + "' is not an http(s) URL");
        }
    }
}
