package io.cdcpipeline.transforms;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.transforms.condition.Condition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * Keeps or drops changes by a condition on the operation, the table and column values (the language of
 * {@link ChangeMatches}). Records that are not changes (tombstones, heartbeats) pass, or are dropped, as configured.
 * Counts what it dropped as the plugin metric {@code records-filtered-total}.
 */
public class CdcFilter<R extends ConnectRecord<R>> implements Transformation<R>, Monitorable {

    public static final String CONDITION = "condition";
    public static final String ACTION = "action";
    public static final String NON_CHANGES = "non.changes";

    public static final String OVERVIEW_DOC = "Keeps or drops changes by a condition on operation, table and columns.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(CONDITION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ChangeMatches::validate, Importance.HIGH,
                    ChangeMatches.CONFIG_DEF.configKeys().get(ChangeMatches.CONDITION).documentation)
            .define(ACTION, Type.STRING, "keep", ValidString.in("keep", "drop"), Importance.HIGH,
                    "'keep' passes the changes the condition matches and drops the rest; 'drop' drops the matching ones.")
            .define(NON_CHANGES, Type.STRING, "pass", ValidString.in("pass", "drop"), Importance.LOW,
                    "Records that are not changes (tombstones, heartbeats, other values): 'pass' or 'drop'.");

    private Condition condition;
    private boolean keepMatches;
    private boolean dropNonChanges;
    private Sensor filtered;

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        condition = Condition.parse(config.getString(CONDITION));
        keepMatches = "keep".equals(config.getString(ACTION));
        dropNonChanges = "drop".equals(config.getString(NON_CHANGES));
    }

    @Override
    public void withPluginMetrics(PluginMetrics metrics) {
        filtered = metrics.addSensor("records-filtered");
        filtered.add(metrics.metricName("records-filtered-total", "Changes this filter dropped.", new LinkedHashMap<>()),
                new CumulativeSum());
    }

    @Override
    public R apply(R record) {
        Condition.Change change = Condition.Change.of(record);
        boolean keep;
        if (!change.shape().isChange()) {
            keep = !dropNonChanges;
        } else {
            try {
                keep = condition.test(change) == keepMatches;
            } catch (IllegalArgumentException e) {
                throw new DataException(ChangeEvent.describe(record) + " (" + change.table() + "): cannot evaluate "
                        + "condition '" + condition + "': " + e.getMessage(), e);
            }
        }
        if (!keep && filtered != null) {
            filtered.record();
        }
        return keep ? record : null;
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
