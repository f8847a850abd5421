package io.cdcpipeline.embedded;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.transforms.ProtectPii;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * A sink's single-message transforms, read from its Connect config exactly as a Connect worker reads them:
 * {@code transforms=a,b}, {@code transforms.a.type=...}, {@code transforms.a.<option>=...}, and optional
 * {@code transforms.a.predicate} / {@code transforms.a.negate} with {@code predicates.<name>.type}.
 */
public final class TransformChain implements AutoCloseable {

    private record Stage(String alias, Transformation<SinkRecord> transformation, Predicate<SinkRecord> predicate,
            boolean negate) {
        public SinkRecord apply(SinkRecord record) {
            if (predicate != null && predicate.test(record) == negate) {
                return record;
            }
            return transformation.apply(record);
        }
    }

    /**
     * A stage refused a record (a {@link DataException}, as Connect's error handling treats per record). Carries the
     * record to dead-letter: as it entered the failing stage, or with key and value withheld when a
     * {@link ProtectPii} stage had yet to run on it, so that the dead-letter path never holds what the chain would
     * have protected.
     */
    static final class StageFailure extends RuntimeException {
        private final transient SinkRecord deadLetter;

        StageFailure(String message, SinkRecord deadLetter, DataException cause) {
            super(message, cause);
            this.deadLetter = deadLetter;
        }

        SinkRecord deadLetter() {
            return deadLetter;
        }
    }

    private final List<Stage> stages;
    private final List<AutoCloseable> closeables;
    private final Map<String, Predicate<SinkRecord>> predicates;

    private TransformChain(List<Stage> stages, List<AutoCloseable> closeables, Map<String, Predicate<SinkRecord>> predicates) {
        this.stages = stages;
        this.closeables = closeables;
        this.predicates = predicates;
    }

    /** Builds and configures every stage; a {@link ConfigException} names the key at fault under {@code prefix}. */
    public static TransformChain from(String prefix, Map<String, String> config) {
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
            stages.add(new Stage(alias, transformation, predicate,
                    Boolean.parseBoolean(config.getOrDefault(base + "negate", "false"))));
        }
        return new TransformChain(stages, closeables, predicates);
    }

    /**
     * Hands plugin metrics to every stage and predicate that takes them, tagged as a Connect worker tags them
     * ({@code transformation} or {@code predicate} = its alias, besides the given connector and task tags).
     */
    void withMetrics(Function<Map<String, String>, PluginMetrics> metrics) {
        for (Stage stage : stages) {
            if (stage.transformation() instanceof Monitorable monitorable) {
                monitorable.withPluginMetrics(metrics.apply(Map.of("transformation", stage.alias())));
            }
        }
        predicates.forEach((alias, predicate) -> {
            if (predicate instanceof Monitorable monitorable) {
                monitorable.withPluginMetrics(metrics.apply(Map.of("predicate", alias)));
            }
        });
    }

    /** The record after every stage, or null when a stage dropped it; a {@link StageFailure} when one refused it. */
    public SinkRecord apply(SinkRecord record) {
        SinkRecord current = record;
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            try {
                current = stage.apply(current);
            } catch (DataException e) {
                boolean protectionPending = false;
                for (Stage later : stages.subList(i, stages.size())) {
                    protectionPending |= later.transformation() instanceof ProtectPii;
                }
                SinkRecord deadLetter = protectionPending ? current.newRecord(current.topic(), current.kafkaPartition(),
                        null, null, null, null, current.timestamp()) : current;
                throw new StageFailure("transform '" + stage.alias() + "' refused " + ChangeEvent.describe(record)
                        + ": " + e.getMessage() + (protectionPending ? " (key and value withheld: the record had not "
                        + "passed ProtectPii yet)" : ""), deadLetter, e);
            }
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
