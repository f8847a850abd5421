package io.cdcpipeline.embedded;

import io.cdcpipeline.core.ConfigProviders;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * A pipeline file: {@code source.*} holds the Debezium connector's own properties, {@code sink.<name>.*} each sink
 * connector's own Connect config, and the rest the runner's settings. Moving to Kafka Connect is a copy: strip the
 * prefix and the keys are a connector config. Values may use Connect's config providers {@code ${env:NAME}} and
 * {@code ${file:PATH:KEY}}, resolved here with Kafka's own provider classes.
 */
public final class PipelineFile {

    public static final String SOURCE_PREFIX = "source.";
    public static final String SINK_PREFIX = "sink.";

    private final RunnerConfig runner;
    private final Map<String, String> source;
    private final Map<String, Map<String, String>> sinks;

    private PipelineFile(RunnerConfig runner, Map<String, String> source, Map<String, Map<String, String>> sinks) {
        this.runner = runner;
        this.source = source;
        this.sinks = sinks;
    }

    public static PipelineFile load(Path file) {
        return load(file, System.getenv());
    }

    /** Loads a file, resolving {@code ${env:NAME}} from {@code environment} instead of the process environment. */
    public static PipelineFile load(Path file, Map<String, String> environment) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read pipeline file " + file + ": " + e.getMessage());
        }
        Map<String, String> raw = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> raw.put(k, props.getProperty(k).trim()));
        return parse(raw, environment);
    }

    public static PipelineFile parse(Map<String, String> raw) {
        return parse(raw, System.getenv());
    }

    public static PipelineFile parse(Map<String, String> raw, Map<String, String> environment) {
        Map<String, String> resolved = ConfigProviders.resolve(raw, environment);
        Map<String, String> runnerProps = new LinkedHashMap<>();
        Map<String, String> source = new LinkedHashMap<>();
        Map<String, String> sinkProps = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : resolved.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(SOURCE_PREFIX)) {
                source.put(key.substring(SOURCE_PREFIX.length()), entry.getValue());
            } else if (key.startsWith(SINK_PREFIX)) {
                sinkProps.put(key, entry.getValue());
            } else if (RunnerConfig.CONFIG_DEF.names().contains(key)) {
                runnerProps.put(key, entry.getValue());
            } else {
                throw new ConfigException(key, entry.getValue(), "unknown setting: expected source.*, sink.<name>.* or "
                        + "one of the runner settings " + new TreeMap<>(RunnerConfig.CONFIG_DEF.configKeys()).keySet());
            }
        }
        RunnerConfig runner = new RunnerConfig(runnerProps);
        Map<String, Map<String, String>> sinks = new LinkedHashMap<>();
        for (String name : runner.sinks()) {
            sinks.put(name, new LinkedHashMap<>());
        }
        for (Map.Entry<String, String> entry : sinkProps.entrySet()) {
            String rest = entry.getKey().substring(SINK_PREFIX.length());
            int dot = rest.indexOf('.');
            String name = dot < 0 ? rest : rest.substring(0, dot);
            if (dot < 0 || !sinks.containsKey(name)) {
                throw new ConfigException(entry.getKey(), entry.getValue(), "belongs to no sink listed in '"
                        + RunnerConfig.SINKS + "' " + runner.sinks());
            }
            sinks.get(name).put(rest.substring(dot + 1), entry.getValue());
        }
        if (source.isEmpty()) {
            throw new ConfigException("the pipeline has no source.* settings (source.connector.class and Debezium's "
                    + "connector properties)");
        }
        return new PipelineFile(runner, source, sinks);
    }

    public RunnerConfig runner() {
        return runner;
    }

    /** The Debezium connector's properties, prefix removed. */
    public Map<String, String> source() {
        return source;
    }

    /** Sink name to its connector config, prefix removed, in the order of {@code sinks}. */
    public Map<String, Map<String, String>> sinks() {
        return sinks;
    }

    public List<String> sinkNames() {
        return List.copyOf(sinks.keySet());
    }
}
