package io.cdcpipeline.core;

import static io.cdcpipeline.core.ConfigGroups.group;
import static io.cdcpipeline.core.ConfigGroups.setting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ConfigGroupsTest {

    private static ConfigDef defined() {
        return new ConfigDef()
                .define("b.size", Type.INT, 10, Range.atLeast(1), Importance.LOW, "Size.")
                .define("a.url", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "URL.")
                .define("a.password", Type.PASSWORD, "", Importance.HIGH, "Secret.");
    }

    @Test
    void settingsKeepEverythingAndGainTheirGroupOrderAndDisplayName() {
        ConfigDef grouped = ConfigGroups.of(defined(),
                group("Connection", setting("a.url", "URL"), setting("a.password", "Password")),
                group("Writes", setting("b.size", "Batch size")));

        assertThat(grouped.groups()).containsExactly("Connection", "Writes");
        ConfigDef.ConfigKey password = grouped.configKeys().get("a.password");
        assertThat(password.group).isEqualTo("Connection");
        assertThat(password.orderInGroup).isEqualTo(2);
        assertThat(password.displayName).isEqualTo("Password");
        assertThat(password.type).isEqualTo(Type.PASSWORD);
        assertThat(grouped.configKeys().get("a.url").hasDefault()).as("still required").isFalse();
        assertThatThrownBy(() -> new AbstractConfig(grouped, Map.of("a.url", "x", "b.size", "0")))
                .as("the validator came along").isInstanceOf(ConfigException.class).hasMessageContaining("b.size");
        assertThat(new AbstractConfig(grouped, Map.of("a.url", "x")).getInt("b.size")).isEqualTo(10);
    }

    @Test
    void aSettingInNoGroupOrAGroupNamingNoSettingIsAProgrammingError() {
        assertThatThrownBy(() -> ConfigGroups.of(defined(), group("Connection", setting("a.url", "URL"))))
                .hasMessage("settings in no group: [b.size, a.password]");
        assertThatThrownBy(() -> ConfigGroups.of(defined(), group("Connection", setting("a.uri", "URL"))))
                .hasMessage("group Connection names a.uri, which is not defined");
    }
}
