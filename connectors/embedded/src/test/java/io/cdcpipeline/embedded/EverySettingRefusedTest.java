package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.sink.clickhouse.ClickHouseSinkConfig;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConfig;
import io.cdcpipeline.testkit.ReliabilityCase;
import io.cdcpipeline.transforms.CaptureNewTables;
import io.cdcpipeline.transforms.CdcFilter;
import io.cdcpipeline.transforms.CdcNormalize;
import io.cdcpipeline.transforms.CdcRoute;
import io.cdcpipeline.transforms.ChangeCloudEvents;
import io.cdcpipeline.transforms.ChangeMatches;
import io.cdcpipeline.transforms.OutboxEvents;
import io.cdcpipeline.transforms.ProtectPii;
import io.cdcpipeline.transforms.SchemaChangeSignal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every setting of every connector, transform, predicate and of the runner, tried with a value of the wrong type,
 * with values its validator must refuse, and left out when it is required: each is refused with a message that names
 * the setting, and a secret's value never appears in the message.
 */
class EverySettingRefusedTest {

    /** Values a validated setting must refuse at least one of: empty, blank, negative, huge, malformed. */
    private static final List<String> WRONG_VALUES = List.of("", " ", "-1", "-99999999999", "99999999999999",
            "not a valid value ${", "a,,b", "((", "NO_SUCH_ENUM_VALUE", "0");

    /** Settings where any text is a valid value: names of users and values that stand for a missing one. */
    private static final Pattern FREE_TEXT =
            Pattern.compile("(\\.user|\\.username|placeholder|^tenant\\.default)$");

    record Plugin(String name, ConfigDef def, Map<String, String> valid, Consumer<Map<String, String>> configure) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> plugins() {
        return Stream.of(
                new Plugin("ClickHouse sink", ClickHouseSinkConfig.CONFIG_DEF, Map.of(), ClickHouseSinkConfig::new),
                new Plugin("Elasticsearch sink", ElasticsearchSinkConfig.CONFIG_DEF, Map.of(),
                        ElasticsearchSinkConfig::new),
                new Plugin("embedded runner", RunnerConfig.CONFIG_DEF, Map.of(RunnerConfig.SINKS, "clickhouse"),
                        RunnerConfig::new),
                transform("CdcFilter", new CdcFilter<>(), Map.of("condition", "op = 'd'")),
                transform("ChangeMatches (predicate)", null, Map.of("condition", "op = 'd'")),
                transform("CdcRoute", new CdcRoute<>(), Map.of()),
                transform("CdcNormalize", new CdcNormalize<>(), Map.of()),
                transform("ProtectPii", new ProtectPii<>(), Map.of("columns", "public.customers.email=hash",
                        "hash.key", "0123456789abcdef0123456789abcdef")),
                transform("SchemaChangeSignal", new SchemaChangeSignal<>(), Map.of()),
                transform("OutboxEvents", new OutboxEvents<>(), Map.of()),
                transform("ChangeCloudEvents", new ChangeCloudEvents<>(), Map.of("table.regex", "public\\.orders")),
                // Its configure() connects to Postgres; what the settings alone decide is checked by its ConfigDef.
                new Plugin("CaptureNewTables", CaptureNewTables.CONFIG_DEF, Map.of("database.hostname", "localhost",
                        "database.dbname", "shop", "database.user", "cdc"), CaptureNewTables.CONFIG_DEF::parse))
                .map(Arguments::of);
    }

    private static Plugin transform(String name, Transformation<SinkRecord> t,
            Map<String, String> valid) {
        if (t == null) {
            ChangeMatches<SinkRecord> predicate = new ChangeMatches<>();
            return new Plugin(name, predicate.config(), valid, props -> new ChangeMatches<SinkRecord>().configure(props));
        }
        return new Plugin(name, t.config(), valid, props -> {
            try {
                t.getClass().getDeclaredConstructor().newInstance().configure(props);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plugins")
    void eachWrongSettingIsRefusedNamingIt(Plugin plugin) {
        plugin.configure().accept(new HashMap<>(plugin.valid())); // the base is valid
        List<String> tried = new ArrayList<>();
        int wrongType = 0;
        int wrongValue = 0;
        int missing = 0;
        List<String> freeText = new ArrayList<>();
        for (ConfigDef.ConfigKey key : plugin.def().configKeys().values()) {
            String badType = switch (key.type) {
                case INT, LONG, SHORT, DOUBLE -> "ten";
                case BOOLEAN -> "maybe";
                case CLASS -> "no.such.Clazz";
                default -> null;
            };
            if (badType != null) {
                assertRefused(plugin, key, badType);
                wrongType++;
                tried.add(key.name + "=" + badType);
            }
            String refused = null;
            for (String value : WRONG_VALUES) {
                if (refusal(plugin, key, value) != null) {
                    refused = value;
                    break;
                }
            }
            if (refused != null) {
                assertRefused(plugin, key, refused);
                wrongValue++;
            } else {
                assertThat(key.validator).as("%s: %s has a validator (%s) but refuses none of %s", plugin.name(),
                        key.name, key.validator, WRONG_VALUES).isNull();
                assertThat(key.type == ConfigDef.Type.PASSWORD || FREE_TEXT.matcher(key.name).find())
                        .as("%s: %s refuses no wrong value and has no validator", plugin.name(), key.name).isTrue();
                freeText.add(key.name);
            }
            if (!key.hasDefault()) {
                Map<String, String> props = new HashMap<>(plugin.valid());
                props.remove(key.name);
                ConfigException e = refusal(plugin, props);
                assertThat(e).as("%s without %s", plugin.name(), key.name).isNotNull();
                assertThat(e.getMessage()).as("%s without %s", plugin.name(), key.name).contains(key.name);
                missing++;
            }
        }
        assertThat(wrongType + wrongValue + missing).as("settings tried").isPositive();
        ReliabilityCase.badInput("Every setting of the " + plugin.name() + " wrong: " + plugin.def().names().size()
                        + " settings")
                .mode("both")
                .expected("each refused when the config is read, the message naming the setting; a secret's value "
                        + "never echoed")
                .observed(wrongType + " of a wrong type, " + wrongValue + " with a wrong value, "
                        + missing + " required left out: every one refused naming the setting"
                        + (freeText.isEmpty() ? "" : "; any text valid for " + String.join(", ", freeText)))
                .record();
    }

    private static void assertRefused(Plugin plugin, ConfigDef.ConfigKey key, String value) {
        ConfigException e = refusal(plugin, key, value);
        assertThat(e).as("%s: %s=%s is refused", plugin.name(), key.name, value).isNotNull();
        assertThat(e.getMessage()).as("%s: the message for %s=%s", plugin.name(), key.name, value).contains(key.name);
        if (key.type == ConfigDef.Type.PASSWORD && !value.isBlank()) {
            assertThat(e.getMessage()).as("a secret's value is not echoed").doesNotContain(value);
        }
    }

    private static ConfigException refusal(Plugin plugin, ConfigDef.ConfigKey key, String value) {
        Map<String, String> props = new HashMap<>(plugin.valid());
        props.put(key.name, value);
        return refusal(plugin, props);
    }

    private static ConfigException refusal(Plugin plugin, Map<String, String> props) {
        try {
            plugin.configure().accept(props);
            return null;
        } catch (ConfigException e) {
            return e;
        }
    }
}
