package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.testkit.ClickHouseTestDatabase;
import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.PostgresTestDatabase;
import io.cdcpipeline.testkit.RealStack;
import io.cdcpipeline.testkit.StackEndpoints;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our transforms in front of both sinks in the embedded runner, configured as a user would: PII protection by a
 * classification file and column rules with the hash key from a config provider, tenant routing, a filter and the
 * schema-change signal. Checked on real Postgres, ClickHouse and Elasticsearch: hashed e-mails equal Postgres's own
 * {@code hmac()} (pgcrypto) and still join across tables in both copies; a dropped column appears in neither copy
 * nor in any dead-letter line; routed orders land under their tenants' tables.
 */
@RealStack
class TransformsPipelineIT {

    static final String HASH_KEY = "it-hash-key-7f3a9c1e5b2d4f60a8";
    static final String SSN = "078-05-1120";

    static final String SCHEMA = """
            CREATE EXTENSION IF NOT EXISTS pgcrypto;
            CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, name text, ssn text, born date);
            CREATE TABLE orders (id bigint PRIMARY KEY, customer_email text NOT NULL, tenant text NOT NULL,
                total numeric(12,2) NOT NULL);
            CREATE TABLE audit_log (message text, ssn text);
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private static void configure(PipelineHarness h, Path work, String rules) throws Exception {
        Path secrets = work.resolve("secrets.properties");
        Files.writeString(secrets, "hash.key=" + HASH_KEY + "\n");
        Path classification = work.resolve("classification.properties");
        Files.writeString(classification, """
                # Data classification, owned by the security team.
                public.customers.email = restricted
                public.orders.customer_email = restricted
                public.customers.born = confidential
                """);
        h.extraConfig.put("source.table.include.list", "public.customers,public.orders,public.audit_log");
        for (String sink : new String[] {"clickhouse", "elasticsearch"}) {
            String t = "sink." + sink + ".transforms";
            h.extraConfig.put(t, "pii,filter,route,signal");
            h.extraConfig.put(t + ".pii.type", "io.cdcpipeline.transforms.ProtectPii");
            h.extraConfig.put(t + ".pii.classification.file", classification.toString());
            h.extraConfig.put(t + ".pii.labels", "restricted=hash,confidential=generalise:year");
            h.extraConfig.put(t + ".pii.columns", rules);
            h.extraConfig.put(t + ".pii.hash.key", "${file:" + secrets + ":hash.key}");
            h.extraConfig.put(t + ".pii.catalog.url", h.jdbcUrl());
            h.extraConfig.put(t + ".pii.catalog.user", h.jdbcUser());
            h.extraConfig.put(t + ".filter.type", "io.cdcpipeline.transforms.CdcFilter");
            h.extraConfig.put(t + ".filter.condition", "table = 'orders' and total < 0");
            h.extraConfig.put(t + ".filter.action", "drop");
            h.extraConfig.put(t + ".route.type", "io.cdcpipeline.transforms.CdcRoute");
            h.extraConfig.put(t + ".route.table.regex", "public\\.orders");
            h.extraConfig.put(t + ".route.target.table", "${tenant}_orders");
            h.extraConfig.put(t + ".route.tenant.column", "tenant");
            h.extraConfig.put(t + ".signal.type", "io.cdcpipeline.transforms.SchemaChangeSignal");
            h.extraConfig.put("sink." + sink + ".errors.tolerance", "all");
        }
    }

    @Test
    void protectedRoutedAndFilteredChangesReachBothSinks(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        configure(h, work, "public.*.ssn=drop,public.customers.name=truncate:1");
        h.sql(SCHEMA);
        h.sql("INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'Name ' || g, '" + SSN + "', "
                        + "date '1980-06-15' + g FROM generate_series(1, 20) g",
                "INSERT INTO orders SELECT g, 'user' || (g % 20 + 1) || '@example.com', "
                        + "CASE WHEN g % 3 = 0 THEN 'globex' ELSE 'acme' END, g * 2.5 FROM generate_series(1, 60) g",
                "INSERT INTO orders VALUES (1000, 'user1@example.com', 'acme', -5)",
                "INSERT INTO orders VALUES (2000, 'secret@example.com', 'bad-tenant', 1)",
                "INSERT INTO audit_log VALUES ('no primary key here', '" + SSN + "')");
        try (EmbeddedPipeline pipeline = h.start()) {
            awaitRows(h, ch.name() + ".acme_orders_current", 40);
            awaitRows(h, ch.name() + ".globex_orders_current", 20);
            h.sql("UPDATE customers SET email = 'moved' || id || '@example.com' WHERE id <= 5",
                    "UPDATE orders SET customer_email = 'moved' || (id % 20 + 1) || '@example.com' WHERE id % 20 + 1 <= 5",
                    "ALTER TABLE customers ADD COLUMN phone text",
                    "INSERT INTO customers VALUES (21, 'new@example.com', 'Newcomer', '" + SSN + "', '2001-02-03', '555')");
            awaitRows(h, ch.name() + ".customers_current", 21);

            // Hashed: exactly Postgres's own HMAC-SHA-256 of each e-mail, in ClickHouse and in Elasticsearch.
            String expectedHashes = sortedLines(String.join("\n", h.postgresRows("SELECT id::text, encode(hmac(email, '"
                    + HASH_KEY + "', 'sha256'), 'hex') FROM customers").stream().map(r -> String.join("\t", r)).toList()));
            awaitEqual(() -> sortedLines(h.clickHouse("SELECT toString(id), email FROM " + ch.name()
                    + ".customers_current FORMAT TabSeparated")), expectedHashes);
            awaitEqual(() -> {
                List<String> lines = new ArrayList<>();
                documents(es.url(), es.name() + "_customers").forEach((id, doc) -> lines.add(id + "\t"
                        + doc.path("email").asText()));
                return sortedLines(String.join("\n", lines));
            }, expectedHashes);
            Map<String, JsonNode> esCustomers = documents(es.url(), es.name() + "_customers");

            // Still joins across tables: every order finds its customer by the hashed e-mail, in both copies.
            String joined = h.clickHouse("SELECT toString(count()), toString(uniqExact(cid)) FROM (SELECT id AS cid, "
                    + "email FROM " + ch.name() + ".customers_current) ALL INNER JOIN (SELECT customer_email AS email FROM "
                    + "(SELECT customer_email FROM " + ch.name() + ".acme_orders_current UNION ALL SELECT customer_email "
                    + "FROM " + ch.name() + ".globex_orders_current)) USING email FORMAT TabSeparated").strip();
            assertThat(joined).isEqualTo("60\t20");
            Set<String> customerEmails = new TreeSet<>();
            esCustomers.values().forEach(d -> customerEmails.add(d.path("email").asText()));
            awaitEqual(() -> {
                List<JsonNode> orders = new ArrayList<>(documents(es.url(), es.name() + "_acme_orders").values());
                orders.addAll(documents(es.url(), es.name() + "_globex_orders").values());
                long unmatched = orders.stream().filter(o -> !customerEmails.contains(o.path("customer_email").asText()))
                        .count();
                return orders.size() + " orders, " + unmatched + " without a customer";
            }, "60 orders, 0 without a customer");

            // Generalised by label: born keeps only its year.
            assertThat(h.clickHouse("SELECT DISTINCT toString(born) FROM " + ch.name() + ".customers_current "
                    + "WHERE id <= 20 FORMAT TabSeparated").strip()).isEqualTo("1980-01-01");
            assertThat(h.clickHouse("SELECT name FROM " + ch.name() + ".customers_current WHERE id = 7 FORMAT "
                    + "TabSeparated").strip()).isEqualTo("N");

            // Routed by tenant, and the filtered order is nowhere.
            assertThat(h.clickHouse("SELECT toString(count()) FROM " + ch.name() + ".acme_orders_current WHERE id = 1000"
                    + " FORMAT TabSeparated").strip()).isEqualTo("0");
            assertThat(h.clickHouse("EXISTS TABLE " + ch.name() + ".orders FORMAT TabSeparated").strip()).isEqualTo("0");
            assertThat(documents(es.url(), es.name() + "_globex_orders")).hasSize(20);
            assertThat(status(es.url() + "/" + es.name() + "_orders")).isEqualTo(404);

            // Dropped: ssn is in no table, no mapping and no dead-letter line. audit_log (no primary key) lands keyed
            // by its content, without ssn.
            awaitRows(h, ch.name() + ".audit_log_current", 1);
            assertThat(h.clickHouse("SELECT message FROM " + ch.name() + ".audit_log_current FORMAT TabSeparated")
                    .strip()).isEqualTo("no primary key here");
            assertThat(h.clickHouse("SELECT name FROM system.columns WHERE database = '" + ch.name()
                    + "' AND name = 'ssn' FORMAT TabSeparated")).isEmpty();
            String mappings = get(es.url() + "/" + es.name() + "_*/_mapping");
            assertThat(mappings).contains("customer_email").doesNotContain("ssn");
            String deadLetters = readDeadLetters(work);
            assertThat(deadLetters).doesNotContain("audit_log").doesNotContain(SSN).doesNotContain("\"ssn\"");
            // A change the router refuses (a tenant that is no name) is dead-lettered with the reason, protected.
            assertThat(deadLetters).contains("transform 'route' refused").contains("bad-tenant")
                    .doesNotContain("secret@example.com");

            // The schema change is signalled and counted, per sink, under the transform's alias.
            assertThat(schemaChanges("it-" + pg.name() + "-clickhouse")).isGreaterThanOrEqualTo(1.0);
            assertThat(schemaChanges("it-" + pg.name() + "-elasticsearch")).isGreaterThanOrEqualTo(1.0);
            assertThat(pipeline.failure()).isNull();
        }
    }

    @Test
    void protectionOnTheSourceRunsOnceForBothSinks(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        Path secrets = work.resolve("secrets.properties");
        Files.writeString(secrets, "hash.key=" + HASH_KEY + "\n");
        h.extraConfig.put("source.table.include.list", "public.customers");
        h.extraConfig.put("source.transforms", "pii");
        h.extraConfig.put("source.transforms.pii.type", "io.cdcpipeline.transforms.ProtectPii");
        h.extraConfig.put("source.transforms.pii.columns", "public.customers.email=hash,public.customers.ssn=drop");
        h.extraConfig.put("source.transforms.pii.hash.key", "${file:" + secrets + ":hash.key}");
        h.sql(SCHEMA);
        h.sql("INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'Name ' || g, '" + SSN + "', "
                + "date '1980-06-15' + g FROM generate_series(1, 10) g");
        try (EmbeddedPipeline pipeline = h.start()) {
            String expected = sortedLines(String.join("\n", h.postgresRows("SELECT id::text, encode(hmac(email, '"
                    + HASH_KEY + "', 'sha256'), 'hex') FROM customers").stream().map(r -> String.join("\t", r)).toList()));
            awaitEqual(() -> sortedLines(h.clickHouse("SELECT toString(id), email FROM " + ch.name()
                    + ".customers_current FORMAT TabSeparated")), expected);
            awaitEqual(() -> {
                List<String> lines = new ArrayList<>();
                documents(es.url(), es.name() + "_customers").forEach((id, doc) -> lines.add(id + "\t"
                        + doc.path("email").asText()));
                return sortedLines(String.join("\n", lines));
            }, expected);
            assertThat(get(es.url() + "/" + es.name() + "_customers/_mapping")).doesNotContain("ssn");
            assertThat(pipeline.failure()).isNull();
        }
    }

    @Test
    void aRuleNamingNoColumnFailsValidationBeforeAnythingRuns(StackEndpoints stack, PostgresTestDatabase pg,
            ClickHouseTestDatabase ch, ElasticsearchTestIndex es, @TempDir Path work) throws Exception {
        PipelineHarness h = new PipelineHarness(stack, pg, ch, es, work);
        configure(h, work, "public.customers.emial=hash");
        h.sql(SCHEMA);
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(h.pipelineConfig())))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sink.clickhouse.transforms.pii")
                .hasMessageContaining("public.customers.emial=hash matches no column");
        configure(h, work, "public.customers.id=truncate:2");
        assertThatThrownBy(() -> EmbeddedPipeline.validate(PipelineFile.parse(h.pipelineConfig())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public.customers.id")
                .hasMessageContaining("primary key");
        assertThat(Files.exists(work.resolve("offsets.dat"))).as("nothing ran").isFalse();
    }

    private static void awaitRows(PipelineHarness h, String view, int rows) throws Exception {
        awaitEqual(() -> h.clickHouse("SELECT toString(count()) FROM " + view + " FORMAT TabSeparated").strip(),
                Integer.toString(rows));
    }

    private static String sortedLines(String text) {
        return String.join("\n", new TreeSet<>(List.of(text.strip().split("\n"))));
    }

    private interface Probe {
        String read() throws Exception;
    }

    private static void awaitEqual(Probe probe, String expected) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        String actual = probe.read();
        while (!actual.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(300);
            actual = probe.read();
        }
        assertThat(actual).isEqualTo(expected);
    }

    private Map<String, JsonNode> documents(String url, String index) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url + "/" + index + "/_refresh"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        Map<String, JsonNode> docs = new TreeMap<>();
        for (JsonNode hit : json.readTree(get(url + "/" + index + "/_search?size=1000")).path("hits").path("hits")) {
            docs.put(hit.path("_id").asText(), hit.path("_source"));
        }
        return docs;
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String readDeadLetters(Path work) throws Exception {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(work.resolve("dead-letters"))) {
            for (Path file : files.toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    private static double schemaChanges(String connector) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("kafka.connect:type=plugins,connector=" + connector
                + ",task=0,transformation=signal");
        return ((Number) server.getAttribute(name, "schema-changes-total")).doubleValue();
    }
}
