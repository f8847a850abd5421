package io.cdcpipeline.core;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidatorsTest {

    @Test
    void emptyMeansNotSetForEveryValidator() {
        for (var validator : new ConfigDef.Validator[] {ConfigValidators.jsonObject(),
            ConfigValidators.readableFile(), ConfigValidators.regexList(), ConfigValidators.schemaTable(),
            ConfigValidators.columnName(), ConfigValidators.postgresJdbcUrl()}) {
            assertThatCode(() -> validator.ensureValid("k", "")).as("%s", validator).doesNotThrowAnyException();
        }
    }

    @Test
    void eachRefusesWhatItsFormIsNotNamingTheSetting(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigValidators.jsonObject().ensureValid("index.settings", "[1]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("index.settings")
                .hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> ConfigValidators.jsonObject().ensureValid("index.settings", "{oops"))
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ConfigValidators.readableFile().ensureValid("f", dir.resolve("nope").toString()))
                .hasMessageContaining("no readable file");
        Path file = Files.writeString(dir.resolve("x"), "x");
        assertThatCode(() -> ConfigValidators.readableFile().ensureValid("f", file.toString()))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> ConfigValidators.regexList().ensureValid("table.include.list", "public.a,(b"))
                .hasMessageContaining("'(b' is not a regular expression");
        assertThatThrownBy(() -> ConfigValidators.regexList().ensureValid("l", "a,,b"))
                .hasMessageContaining("an empty entry");
        assertThatThrownBy(() -> ConfigValidators.schemaTable().ensureValid("signal.data.collection", "signals"))
                .hasMessageContaining("expected <schema>.<table>");
        assertThatCode(() -> ConfigValidators.schemaTable().ensureValid("s", "public.debezium_signal"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> ConfigValidators.columnName().ensureValid("tenant.column", "a.b"))
                .hasMessageContaining("expected a column name");
        assertThatThrownBy(() -> ConfigValidators.postgresJdbcUrl().ensureValid("catalog.url", "postgres://h/db"))
                .hasMessageContaining("jdbc:postgresql://host:port/database");
    }
}
