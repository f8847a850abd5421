package io.cdcpipeline.core.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A sink connector whose tasks all get the connector's own config: it checks that config once at start (so a bad
 * config fails the connector, not every task) and hands a copy to each task.
 */
public abstract class ConfiguredSinkConnector extends SinkConnector {

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        config().parse(props);
        this.props = Map.copyOf(props);
    }

    /**
     * The checks of {@link #validate} that need no server: field validators and rules across fields. The embedded
     * runner uses this to check a pipeline file before anything runs; {@link #validate} adds connectivity checks.
     */
    public Config validateWithoutConnecting(Map<String, String> props) {
        return super.validate(props);
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(props);
        }
        return configs;
    }

    @Override
    public void stop() {
        // holds nothing but its config
    }

    @Override
    public String version() {
        return versionOf(getClass());
    }

    /** The implementation version in the jar manifest, or "dev" when run from classes. */
    public static String versionOf(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
