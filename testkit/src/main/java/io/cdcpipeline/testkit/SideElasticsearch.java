package io.cdcpipeline.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second Elasticsearch node beside the stack's, with node settings of its own (say, a tiny write queue, which
 * the shared node must not have), started through {@code bin/cdc stack side-es} and stopped and removed when closed.
 */
public final class SideElasticsearch implements AutoCloseable {

    private final String name;
    private final String url;
    private final String truststore;

    private SideElasticsearch(String name, String url, String truststore) {
        this.name = name;
        this.url = url;
        this.truststore = truststore;
    }

    /** Starts the node on the given ports with {@code settings} ("key=value") and waits until it is healthy. */
    public static SideElasticsearch start(String name, int httpPort, int transportPort, String... settings) {
        List<String> command = new ArrayList<>(List.of(cdc(), "stack", "side-es", "up", name,
                Integer.toString(httpPort), Integer.toString(transportPort)));
        command.addAll(List.of(settings));
        StackLauncher.Result result = StackLauncher.exec(command, Map.of(), true);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("starting the side Elasticsearch node failed:\n" + result.output());
        }
        String[] lines = result.output().strip().split("\\R");
        String truststore = null;
        for (String line : lines) {
            if (line.startsWith("truststore: ")) {
                truststore = line.substring("truststore: ".length()).trim();
            }
        }
        return new SideElasticsearch(name, lines[lines.length - 1].trim(), truststore);
    }

    public String url() {
        return url;
    }

    /** For a node started with tls=true: a PKCS12 trust store (password "changeit") holding its CA; else null. */
    public String truststore() {
        return truststore;
    }

    @Override
    public void close() {
        StackLauncher.exec(List.of(cdc(), "stack", "side-es", "down", name), Map.of(), true);
    }

    private static String cdc() {
        return ProjectRoot.path().resolve("bin/cdc").toString();
    }
}
