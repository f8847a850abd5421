package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.ConfigDocs.Component;
import io.cdcpipeline.testkit.ProjectRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what the code's ConfigDefs say, every public setting of every component named in it. */
class ConfigurationDocsTest {

    @Test
    void theReferenceMatchesTheCode() throws Exception {
        Path file = ProjectRoot.path().resolve(ConfigurationDocs.FILE);
        assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .as(ConfigurationDocs.FILE + " is out of date: run bin/cdc docs and commit it")
                .isEqualTo(ConfigurationDocs.markdown());
    }

    @Test
    void everySettingIsDocumentedWithTextAndWithoutAnObjectIdentity() {
        String markdown = ConfigurationDocs.markdown();
        for (Component component : ConfigurationDocs.components()) {
            for (ConfigDef.ConfigKey key : component.def().configKeys().values()) {
                assertThat(markdown).as(component.title()).contains("| `" + key.name + "` |");
                assertThat(key.documentation).as(component.title() + " " + key.name).isNotBlank();
            }
        }
        assertThat(markdown).doesNotContainPattern("\\$\\$Lambda|@[0-9a-f]{6,}");
    }
}
