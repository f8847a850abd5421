package io.cdcpipeline.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * A sink's single-message transforms, read from its Connect config exactly as a Connect worker reads them:
 * {@code transforms=a,b}, {@code transforms.a.type=...}, {@code transforms.a.<option>=...}, and optional
 * {@code transforms.a.predicate} / {@code transforms.a.negate} with {@code predicates.<name>.type}.
 */
final class TransformChain implements AutoCloseable {

    private record Stage(Transformation<SinkRecord> transformation, Predicate<SinkRecord> predicate, boolean negate) {
        SinkRecord apply(SinkRecord record) {
            if (predicate != null && predicate.test(record) == negate) {
                return record;
            }
            return transformation.apply(record);
        }
    }

    private final List<Stage> stages;
    private final List<AutoCloseable> closeables;

    private TransformChain(List<Stage> stages, List<AutoCloseable> closeables) {
        this.stages = stages;
        this.closeables = closeables;
    }

    /** Builds and configures every stage; a {@link ConfigException} names the key at fault under {@code prefix}. */
    static TransformChain from(String prefix, Map<String, String> config) {
        List<AutoCloseable> closeables = new ArrayList<>();
        Map<String, Predicate<SinkRecord>> predicates = new LinkedHashMap<>();
        for (String name : list(config.get("predicates"))) {
            Predicate<SinkRecord> predicate = instantiate(prefix + "predicates." + name + ".type",
                    config.get("predicates." + name + ".type"), Predicate.class);
            predicate.configure(subset(config, "predicates." + name + "."));
            predicates.put(name, predicate);
            closeables.add(predicate);
        }
        List<Stage> stages = new ArrayList<>();
        for (String alias : list(config.get("transforms"))) {
            String base = "transforms." + alias + ".";
            Transformation<SinkRecord> transformation = instantiate(prefix + base + "type", config.get(base + "type"),
                    Transformation.class);
            try {
                transformation.configure(subset(config, base));
            } catch (RuntimeException e) {
                throw new ConfigException(prefix + base + "*", config.get(base + "type"), e.getMessage());
            }
            closeables.add(transformation);
            Predicate<SinkRecord> predicate = null;
            String predicateName = config.get(base + "predicate");
            if (predicateName != null && !predicateName.isBlank()) {
                predicate = predicates.get(predicateName);
                if (predicate == null) {
                    throw new ConfigException(prefix + base + "predicate", predicateName, "no such predicate in "
                            + prefix + "predicates");
                }
            }
            stages.add(new Stage(transformation, predicate, Boolean.parseBoolean(config.getOrDefault(base + "negate", "false"))));
        }
        return new TransformChain(stages, closeables);
    }

    /** The record after every stage, or null when a stage dropped it. */
    SinkRecord apply(SinkRecord record) {
        SinkRecord current = record;
        for (Stage stage : stages) {
            current = stage.apply(current);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing a transform must not hide why the pipeline stops
            }
        }
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    private static Map<String, String> subset(Map<String, String> config, String prefix) {
        Map<String, String> sub = new LinkedHashMap<>();
        config.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.equals(prefix + "type")) {
                sub.put(k.substring(prefix.length()), v);
            }
        });
        return sub;
    }

    @SuppressWarnings("unchecked")
    static <T> T instantiate(String key, String className, Class<?> expected) {
        if (className == null || className.isBlank()) {
            throw new ConfigException(key, className, "is required");
        }
        try {
            Class<?> type = Class.forName(className.trim());
            if (!expected.isAssignableFrom(type)) {
                throw new ConfigException(key, className, "is not a " + expected.getName());
            }
            return (T) type.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new ConfigException(key, className, "class not found on the runner's classpath");
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(key, className, "cannot be instantiated: " + e);
        }
    }
}
