package io.cdcpipeline.sink.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.testkit.ElasticsearchTestIndex;
import io.cdcpipeline.testkit.RealStack;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** What Connect's validate call reports before anything runs, each error under the key at fault. */
@RealStack
class ElasticsearchValidationIT {

    private final ElasticsearchSinkConnector connector = new ElasticsearchSinkConnector();

    @Test
    void aReachableClusterValidates(ElasticsearchTestIndex es) {
        assertThat(errors(config(es))).isEmpty();
    }

    @Test
    void anUnreachableClusterIsNamedUnderItsUrls(ElasticsearchTestIndex es) {
        Map<String, String> config = config(es);
        config.put(ElasticsearchSinkConfig.URLS, "http://127.0.0.1:1");
        assertThat(errors(config).get(ElasticsearchSinkConfig.URLS)).contains("cannot be reached").contains("127.0.0.1:1");
    }

    @Test
    void badSettingsAreNamed(ElasticsearchTestIndex es) {
        Map<String, String> both = config(es);
        both.put(ElasticsearchSinkConfig.USERNAME, "u");
        both.put(ElasticsearchSinkConfig.API_KEY, "k");
        assertThat(errors(both)).containsKey(ElasticsearchSinkConfig.API_KEY);

        Map<String, String> override = config(es);
        override.put("index.override.public.orders.alias", "x");
        assertThat(errors(override).toString()).contains("index.override.public.orders.alias");

        Map<String, String> mapping = config(es);
        mapping.put("index.override.public.orders.mapping", "{not json");
        assertThat(errors(mapping).toString()).contains("index.override.public.orders.mapping").contains("JSON");

        Map<String, String> name = config(es);
        name.put("index.override.public.orders.name", "Orders");
        assertThat(errors(name).toString()).contains("not a valid index name");

        Map<String, String> dynamic = config(es);
        dynamic.put(ElasticsearchSinkConfig.DYNAMIC, "sometimes");
        assertThat(errors(dynamic)).containsKey(ElasticsearchSinkConfig.DYNAMIC);
    }

    private static Map<String, String> config(ElasticsearchTestIndex es) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", ElasticsearchSinkConnector.class.getName());
        config.put(ElasticsearchSinkConfig.URLS, es.url());
        return config;
    }

    private Map<String, String> errors(Map<String, String> config) {
        return connector.validate(config).configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .collect(Collectors.toMap(ConfigValue::name, v -> String.join("; ", v.errorMessages())));
    }
}
