package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cdcpipeline.testkit.ReliabilityCase;
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
                .hasMessageContaining("${env:NOPE}")
                .hasMessageContaining("environment variable NOPE is not set for this process: run 'export NOPE=...'")
                .hasMessageContaining("eval \"$(bin/cdc stack env)\"");
        assertThatThrownBy(() -> ConfigProviders.resolve(Map.of("db.password", "${file:" + secrets + ":nope}"),
                Map.of())).hasMessageContaining("db.password").hasMessageContaining(":nope}")
                .hasMessageContaining("file " + secrets + " has no entry 'nope'");
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> ConfigProviders.resolve(Map.of("a", "1", "db.password", "${file:" + missing
                + ":pg.password}"), Map.of())).hasMessageContaining("db.password")
                .hasMessageContaining("Could not read properties from file " + missing);
        ReliabilityCase.badInput("${env:NAME} reference to a variable not set (or set without export)").mode("both")
                .expected("refused naming the setting and the variable, saying it needs export")
                .observed("\"environment variable NOPE is not set for this process: run 'export NOPE=...' first ...\"")
                .record();
        ReliabilityCase.badInput("${file:path:key} reference to a missing file, or to a key the file lacks")
                .mode("both")
                .expected("refused naming the setting, the file and the entry")
                .observed("\"Could not read properties from file ...\", \"file ... has no entry 'nope'\"").record();
    }
}
