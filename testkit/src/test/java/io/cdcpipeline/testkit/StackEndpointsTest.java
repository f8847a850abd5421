package io.cdcpipeline.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackEndpointsTest {

    private static final String STACK_ENV_OUTPUT = """
            CDC_WORK_DIR=/srv/cdc/.work
            CDC_PG_HOST=127.0.0.1
            CDC_PG_PORT=25432
            CDC_PG_USER=postgres
            CDC_CH_URL=http://127.0.0.1:28123
            CDC_CH_HOST=127.0.0.1
            CDC_CH_NATIVE_PORT=29000
            CDC_ES_URL=http://127.0.0.1:29200
            """;

    @Test
    void readsWhatStackEnvPrints() {
        StackEndpoints stack = StackEndpoints.fromEnv(StackLauncher.parseEnvLines(STACK_ENV_OUTPUT));

        assertThat(stack.pgPort()).isEqualTo(25432);
        assertThat(stack.jdbcUrl("orders")).isEqualTo("jdbc:postgresql://127.0.0.1:25432/orders");
        assertThat(stack.clickHouseUrl()).isEqualTo("http://127.0.0.1:28123");
        assertThat(stack.clickHouseNativePort()).isEqualTo(29000);
        assertThat(stack.elasticsearchUrl()).isEqualTo("http://127.0.0.1:29200");
        assertThat(stack.hasKafka()).isFalse();
    }

    @Test
    void kafkaEndpointsArePresentOnlyWhenPrinted() {
        Map<String, String> env = new HashMap<>(StackLauncher.parseEnvLines(STACK_ENV_OUTPUT));
        env.put("CDC_KAFKA_BOOTSTRAP", "127.0.0.1:29092");
        env.put("CDC_CONNECT_URL", "http://127.0.0.1:28083");

        StackEndpoints stack = StackEndpoints.fromEnv(env);

        assertThat(stack.hasKafka()).isTrue();
        assertThat(stack.requireKafkaBootstrap()).isEqualTo("127.0.0.1:29092");
        assertThat(stack.requireConnectUrl()).isEqualTo("http://127.0.0.1:28083");
    }

    @Test
    void askingForKafkaOnAStackWithoutItSaysHowToGetIt() {
        StackEndpoints stack = StackEndpoints.fromEnv(StackLauncher.parseEnvLines(STACK_ENV_OUTPUT));

        assertThatThrownBy(stack::requireKafkaBootstrap).hasMessageContaining("@RealStack(kafka = true)");
    }

    @Test
    void missingOrMalformedKeyIsNamed() {
        Map<String, String> env = new HashMap<>(StackLauncher.parseEnvLines(STACK_ENV_OUTPUT));
        env.remove("CDC_ES_URL");
        assertThatThrownBy(() -> StackEndpoints.fromEnv(env)).hasMessageContaining("CDC_ES_URL");

        env.put("CDC_ES_URL", "http://127.0.0.1:29200");
        env.put("CDC_PG_PORT", "fifty");
        assertThatThrownBy(() -> StackEndpoints.fromEnv(env)).hasMessageContaining("CDC_PG_PORT").hasMessageContaining("fifty");
    }

    @Test
    void uniqueNamesAreValidIdentifiersAndDiffer() {
        String a = TestNames.unique("It");
        String b = TestNames.unique("It");

        assertThat(a).matches("it_[0-9a-f]{12}");
        assertThat(a).isNotEqualTo(b);
        assertThatThrownBy(() -> TestNames.unique("bad-name")).hasMessageContaining("bad-name");
    }
}
