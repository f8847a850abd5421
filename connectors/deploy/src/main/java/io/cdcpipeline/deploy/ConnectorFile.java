package io.cdcpipeline.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One connector as Connect's REST API takes it ({@code {"name": ..., "config": {...}}}), read from a JSON file in
 * {@code connect-configs/connect}. Values stay as written: {@code ${env:...}} and {@code ${file:...}} are resolved by
 * the worker's config providers, so no secret passes through here.
 */
public record ConnectorFile(Path file, String name, Map<String, String> config) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String connectorClass() {
        return config.get("connector.class");
    }

    public static ConnectorFile load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.path("name").isTextual() || root.path("name").asText().isBlank()
                || !root.path("config").isObject()) {
            throw new IllegalArgumentException(file + ": expected {\"name\": \"...\", \"config\": {...}} as Connect's "
                    + "POST /connectors takes it");
        }
        Map<String, String> config = new LinkedHashMap<>();
        root.path("config").properties().forEach(entry -> {
            if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                throw new IllegalArgumentException(file + ": config." + entry.getKey() + " must be a string, number or "
                        + "boolean");
            }
            config.put(entry.getKey(), entry.getValue().asText());
        });
        if (!config.containsKey("connector.class")) {
            throw new IllegalArgumentException(file + ": config.connector.class is missing");
        }
        String name = root.path("name").asText();
        String inConfig = config.get("name");
        if (inConfig != null && !inConfig.equals(name)) {
            throw new IllegalArgumentException(file + ": config.name '" + inConfig + "' differs from name '" + name + "'");
        }
        config.put("name", name); // PUT /connectors/{name}/config wants it in the config too, or adds it
        return new ConnectorFile(file, name, config);
    }

    /** The files given, folders expanded to their *.json files in name order. */
    public static List<ConnectorFile> loadAll(List<Path> paths) {
        List<ConnectorFile> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> listed = Files.list(path)) {
                    listed.filter(p -> p.getFileName().toString().endsWith(".json")).sorted()
                            .forEach(p -> files.add(load(p)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + path, e);
                }
            } else {
                files.add(load(path));
            }
        }
        List<String> names = new ArrayList<>();
        for (ConnectorFile file : files) {
            if (names.contains(file.name())) {
                throw new IllegalArgumentException(file.file() + ": connector name '" + file.name() + "' is used by "
                        + "another file too");
            }
            names.add(file.name());
        }
        return files;
    }
}
