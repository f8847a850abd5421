package io.cdcpipeline.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;
import org.junit.jupiter.api.Test;

/** Every transform is discoverable by service loading, documented, and has every option in its docs page. */
class TransformsDocsTest {

    // ServiceLoader takes the raw interface; the casts name the types the loaded classes are.
    @SuppressWarnings("unchecked")
    private static final Class<Transformation<?>> TRANSFORMATION = (Class<Transformation<?>>) (Class<?>) Transformation.class;
    @SuppressWarnings("unchecked")
    private static final Class<Predicate<?>> PREDICATE = (Class<Predicate<?>>) (Class<?>) Predicate.class;

    @Test
    void everyOptionOfEveryTransformIsOnTheDocsPage() throws Exception {
        String page = Files.readString(Path.of("..", "docs", "transforms.md"));
        for (ConfigDef def : List.of(CdcNormalize.CONFIG_DEF, ProtectPii.CONFIG_DEF, CdcRoute.CONFIG_DEF,
                CdcFilter.CONFIG_DEF, ChangeMatches.CONFIG_DEF, SchemaChangeSignal.CONFIG_DEF,
                CaptureNewTables.CONFIG_DEF, OutboxEvents.CONFIG_DEF, ChangeCloudEvents.CONFIG_DEF)) {
            for (ConfigDef.ConfigKey key : def.configKeys().values()) {
                assertThat(page).as("docs/transforms.md documents %s", key.name).contains("`" + key.name + "`");
                assertThat(key.documentation).as("doc string of %s", key.name).isNotBlank();
            }
        }
    }

    @Test
    void workersFindEveryTransformAndThePredicateByServiceLoading() {
        List<String> transforms = ServiceLoader.load(TRANSFORMATION).stream().map(p -> p.type().getName()).toList();
        assertThat(transforms).contains(CdcNormalize.class.getName(), ProtectPii.class.getName(),
                ProtectPii.Key.class.getName(), ProtectPii.Value.class.getName(), CdcRoute.class.getName(),
                CdcFilter.class.getName(), SchemaChangeSignal.class.getName(), CaptureNewTables.class.getName(),
                OutboxEvents.class.getName(), ChangeCloudEvents.class.getName());
        List<String> predicates = ServiceLoader.load(PREDICATE).stream().map(p -> p.type().getName()).toList();
        assertThat(predicates).contains(ChangeMatches.class.getName());
    }
}
