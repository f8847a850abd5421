package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.testkit.CapturedDebeziumRecords;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** ProtectPii over real Debezium 3.6 Postgres records (customers: id, email, name, balance, born, updated_at). */
class ProtectPiiTest {

    static final String KEY = "test-key-0123456789abcdef-0123456";
    // HMAC-SHA-256 under KEY, computed independently with Python's hmac module.
    static final String ADA_EMAIL = "e5651a47755e7d8b1222ab425b4e0fc676d15c8768ac3361029b9a30ced8d81d";
    static final String BOB_EMAIL = "eda11a67263cf715b273249c5668228ca7346a08e83956087028e48238e6b194";
    static final String ID_1 = "e43ee07c06f7dae72ff33f45aac210be5b81f6db001f40e225dcdf840f635860";

    static ProtectPii<SinkRecord> pii(ProtectPii<SinkRecord> transform, String... settings) {
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            config.put(settings[i], settings[i + 1]);
        }
        transform.configure(config);
        return transform;
    }

    static ProtectPii<SinkRecord> pii(String... settings) {
        return pii(new ProtectPii<>(), settings);
    }

    static List<SinkRecord> customers() throws Exception {
        return CapturedDebeziumRecords.load().stream()
                .filter(r -> r.topic().endsWith(".customers") && r.value() != null).toList();
    }

    @Test
    void hashedEmailIsTheKeyedHmacInEveryImageAndRecord() throws Exception {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "public.customers.email=hash", ProtectPii.HASH_KEY, KEY);
        for (SinkRecord record : customers()) {
            SinkRecord out = transform.apply(record);
            ((Struct) out.value()).validate(); // filled without Struct.put's checks: must still satisfy its schema
            ((Struct) out.key()).validate();
            ChangeEvent in = ChangeEvent.of(record);
            ChangeEvent event = ChangeEvent.of(out);
            assertThat(event.changeVersion()).isEqualTo(in.changeVersion());
            if (event.after() != null) {
                String expected = in.after().getString("email").equals("ada@example.com") ? ADA_EMAIL : BOB_EMAIL;
                assertThat(event.after().getString("email")).isEqualTo(expected);
                assertThat(event.after().getString("name")).isEqualTo(in.after().getString("name"));
            }
            if (event.before() != null) {
                assertThat(event.before().getString("email")).hasSize(64).isNotEqualTo(in.before().getString("email"));
            }
        }
    }

    @Test
    void aRuleNamingAColumnTheTableLacksIsReportedWithoutACatalog() throws Exception {
        Logger logger = (Logger) LoggerFactory
                .getLogger(ProtectPii.class);
        ListAppender<ILoggingEvent> appender =
                new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            pii(ProtectPii.COLUMNS, "public.customers.emial=drop").apply(customers().get(0));
            assertThat(appender.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains("public.customers.emial=drop").contains("email").contains(ProtectPii.CATALOG_URL));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void protectedStructsAreFilledDirectlyInThisJvm() {
        assertThat(StructCopier.isDirect()).as("Struct's value array is reachable, so copies skip re-validation").isTrue();
    }

    @Test
    void schemalessRecordsAreProtectedAlike() throws Exception {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "public.customers.email=hash,public.customers.name=drop",
                ProtectPii.HASH_KEY, KEY);
        SinkRecord first = CapturedDebeziumRecords.loadSchemaless().get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) ((Map<?, ?>) transform.apply(first).value()).get("after");
        assertThat(after).containsEntry("email", ADA_EMAIL).doesNotContainKey("name").containsEntry("id", 1L);
    }

    @Test
    void droppedColumnLeavesBothImagesAndTheSchema() throws Exception {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "*.customers.name=drop");
        for (SinkRecord record : customers()) {
            Struct value = (Struct) transform.apply(record).value();
            assertThat(value.schema().field("after").schema().field("name")).isNull();
            assertThat(value.schema().field("before").schema().field("name")).isNull();
            assertThat(value.toString()).doesNotContain("Ada L.");
        }
    }

    @Test
    void everyActionKeepsItsTypeValid() throws Exception {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, String.join(",",
                "public.customers.email=keep-domain", "public.customers.name=truncate:2", "public.customers.balance=mask",
                "public.customers.born=generalise", "public.customers.updated_at=generalise:month"));
        Struct after = ChangeEvent.of(transform.apply(customers().get(0))).after();
        assertThat(after.getString("email")).isEqualTo("example.com");
        assertThat(after.getString("name")).isEqualTo("Ad");
        assertThat((BigDecimal) after.get("balance")).isEqualTo(new BigDecimal("0.00"));
        assertThat(LocalDate.ofEpochDay(after.getInt32("born"))).isEqualTo(LocalDate.of(1815, 1, 1));
        assertThat(after.getString("updated_at")).isEqualTo("2026-01-01T00:00:00Z");
        after.validate(); // the protected struct still satisfies its schema
    }

    @Test
    void maskKeepsTheLastCharactersAskedFor() throws Exception {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "public.customers.email=mask:4");
        assertThat(ChangeEvent.of(transform.apply(customers().get(0))).after().getString("email"))
                .isEqualTo("***********.com");
    }

    @Test
    void hashedKeyColumnStaysTheRowsIdentityInKeyAndValue() throws Exception {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "public.customers.id=hash", ProtectPii.HASH_KEY, KEY);
        SinkRecord out = transform.apply(customers().get(0));
        assertThat(((Struct) out.key()).getString("id")).isEqualTo(ID_1);
        assertThat(ChangeEvent.of(out).after().getString("id")).isEqualTo(ID_1);

        SinkRecord keyOnly = pii(new ProtectPii.Key<>(), ProtectPii.COLUMNS, "public.customers.id=hash",
                ProtectPii.HASH_KEY, KEY).apply(customers().get(0));
        assertThat(((Struct) keyOnly.key()).getString("id")).isEqualTo(ID_1);
        assertThat(ChangeEvent.of(keyOnly).after().getInt32("id")).isEqualTo(1);

        SinkRecord valueOnly = pii(new ProtectPii.Value<>(), ProtectPii.COLUMNS, "public.customers.email=hash",
                ProtectPii.HASH_KEY, KEY).apply(customers().get(0));
        assertThat(valueOnly.key()).isEqualTo(customers().get(0).key());
        assertThat(ChangeEvent.of(valueOnly).after().getString("email")).isEqualTo(ADA_EMAIL);
    }

    @Test
    void anActionThatBreaksAKeyIsRefusedNamingTheColumn() {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "public.customers.id=drop");
        assertThatThrownBy(() -> transform.apply(customers().get(0))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("public.customers.id").hasMessageContaining("identity");
    }

    @Test
    void anActionTheTypeCannotTakeIsRefusedNamingColumnAndType() {
        ProtectPii<SinkRecord> transform = pii(ProtectPii.COLUMNS, "public.customers.born=truncate:2");
        assertThatThrownBy(() -> transform.apply(customers().get(0))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("public.customers.born").hasMessageContaining("text columns");
    }

    @Test
    void unchangedToastPlaceholderPassesUntouched() throws Exception {
        SinkRecord record = customers().get(0);
        Struct value = (Struct) record.value();
        Struct after = value.getStruct("after");
        after.put("email", "__debezium_unavailable_value");
        SinkRecord out = pii(ProtectPii.COLUMNS, "public.customers.email=hash", ProtectPii.HASH_KEY, KEY).apply(record);
        assertThat(ChangeEvent.of(out).after().getString("email")).isEqualTo("__debezium_unavailable_value");
    }

    @Test
    void classificationFileLabelsDecideAndColumnRulesWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("classification.properties");
        Files.writeString(file, "# owned by security\n*.*.email = restricted\npublic.customers.name=confidential\n"
                + "public.customers.born=internal\n");
        ProtectPii<SinkRecord> transform = pii(ProtectPii.CLASSIFICATION_FILE, file.toString(),
                ProtectPii.LABELS, "restricted=hash,confidential=null,internal=keep",
                ProtectPii.COLUMNS, "public.customers.born=generalise", ProtectPii.HASH_KEY, KEY);
        Struct after = ChangeEvent.of(transform.apply(customers().get(0))).after();
        assertThat(after.getString("email")).isEqualTo(ADA_EMAIL);
        assertThat(after.get("name")).isNull();
        assertThat(LocalDate.ofEpochDay(after.getInt32("born")).getDayOfYear()).isEqualTo(1);
    }

    @Test
    void badRulesFailAtConfigurationNamingTheEntry(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> pii(ProtectPii.COLUMNS, "public.customers.email=scramble"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scramble").hasMessageContaining("keep-domain");
        assertThatThrownBy(() -> pii(ProtectPii.COLUMNS, "customers.email=drop"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("<schema>.<table>.<column>");
        assertThatThrownBy(() -> pii(ProtectPii.COLUMNS, "public.customers.email=hash"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ProtectPii.HASH_KEY);
        assertThatThrownBy(() -> pii(ProtectPii.COLUMNS, "public.customers.email=hash", ProtectPii.HASH_KEY, "short"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("at least 16");
        assertThatThrownBy(() -> pii(ProtectPii.CLASSIFICATION, "*.*.email=restricted"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("restricted").hasMessageContaining("no action");
        assertThatThrownBy(() -> pii(ProtectPii.COLUMNS, "*.*.x=drop", ProtectPii.LABELS, "secret=drop"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no column is classified as secret");
        assertThatThrownBy(() -> pii(ProtectPii.COLUMNS, "*.*.x=truncate"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("length");
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "public.customers.email=restricted\nthis line is wrong\n");
        assertThatThrownBy(() -> pii(ProtectPii.CLASSIFICATION_FILE, file.toString(), ProtectPii.LABELS, "restricted=drop"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(file + " line 2");
        assertThatThrownBy(() -> pii()).isInstanceOf(ConfigException.class).hasMessageContaining("no rule");
    }

    @Test
    void theHashIsStableAcrossInstancesAndNormalisesWhenAsked() throws Exception {
        SinkRecord record = customers().get(0);
        String first = ChangeEvent.of(pii(ProtectPii.COLUMNS, "*.*.email=hash", ProtectPii.HASH_KEY, KEY).apply(record))
                .after().getString("email");
        String second = ChangeEvent.of(pii(ProtectPii.COLUMNS, "*.*.email=hash", ProtectPii.HASH_KEY, KEY).apply(record))
                .after().getString("email");
        assertThat(first).isEqualTo(second).isEqualTo(ADA_EMAIL);
        ((Struct) ((Struct) record.value()).get("after")).put("email", "  Ada@Example.COM ");
        String normalised = ChangeEvent.of(pii(ProtectPii.COLUMNS, "*.*.email=hash", ProtectPii.HASH_KEY, KEY,
                ProtectPii.HASH_NORMALISE, "trim-lowercase").apply(record)).after().getString("email");
        assertThat(normalised).isEqualTo(ADA_EMAIL);
    }
}
