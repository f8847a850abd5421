package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.core.sink.OutOfRangeValues;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ClickHouseSinkConfigTest {

    @Test
    void valuesOutOfRangeAreClampedUnlessStrictIsAsked() {
        assertThat(new ClickHouseSinkConfig(Map.of()).outOfRange()).isEqualTo(OutOfRangeValues.Policy.CLAMP);
        assertThat(new ClickHouseSinkConfig(Map.of(OutOfRangeValues.CONFIG, "strict")).outOfRange())
                .isEqualTo(OutOfRangeValues.Policy.STRICT);
        assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(OutOfRangeValues.CONFIG, "drop")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(OutOfRangeValues.CONFIG);
    }

    @Test
    void theDeprecatedTemporalSettingStillChoosesThePolicyUnlessTheNewOneIsSet() {
        assertThat(new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.TEMPORAL_OUT_OF_RANGE, "dead-letter"))
                .outOfRange()).isEqualTo(OutOfRangeValues.Policy.STRICT);
        assertThat(new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.TEMPORAL_OUT_OF_RANGE, "dead-letter",
                OutOfRangeValues.CONFIG, "clamp")).outOfRange()).isEqualTo(OutOfRangeValues.Policy.CLAMP);
        assertThatThrownBy(() -> new ClickHouseSinkConfig(Map.of(ClickHouseSinkConfig.TEMPORAL_OUT_OF_RANGE, "x")))
                .isInstanceOf(ConfigException.class);
    }
}
