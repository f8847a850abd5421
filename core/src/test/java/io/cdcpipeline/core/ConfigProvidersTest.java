package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigProvidersTest {

    @Test
    void resolvesEnvironmentVariablesAndPropertiesFileEntriesLeavingOtherPlaceholders(@TempDir Path dir)
            throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=s3cret\nempty=\n");
        Map<String, String> resolved = ConfigProviders.resolve(Map.of(
                "host", "${env:PGHOST}:5432",
                "password", "${file:" + secrets + ":pg.password}",
                "blank", "${file:" + secrets + ":empty}",
                "index.name.format", "shop_${table}"), Map.of("PGHOST", "db"));
        assertThat(resolved).containsEntry("host", "db:5432").containsEntry("password", "s3cret")
                .containsEntry("blank", "").containsEntry("index.name.format", "shop_${table}");
    }

    @Test
    void anUnresolvableReferenceNamesTheSettingAndTheReference(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets.properties");
        Files.writeString(secrets, "pg.password=s3cret\n");
        assertThatThrownBy(() -> ConfigProviders.resolve(Map.of("db.password", "${env:NOPE}"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("db.password")
                .hasMessageContaining("${env:NOPE}");
        assertThatThrownBy(() -> ConfigProviders.resolve(Map.of("db.password", "${file:" + secrets + ":nope}"),
                Map.of())).hasMessageContaining("db.password").hasMessageContaining(":nope}");
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> ConfigProviders.resolve(Map.of("a", "1", "db.password", "${file:" + missing
                + ":pg.password}"), Map.of())).hasMessageContaining("db.password")
                .hasMessageContaining(missing.toString());
    }
}
