package io.cdcpipeline.transforms;

import io.cdcpipeline.transforms.condition.Condition;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.transforms.predicates.Predicate;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * A Kafka Connect predicate that is true for the changes a {@link Condition} matches, so any transform (Kafka's
 * own {@code Filter}, {@code InsertField}, ours) can apply only to some operations, tables or row values:
 * {@code predicates.big.type=io.cdcpipeline.transforms.ChangeMatches},
 * {@code predicates.big.condition=table = 'orders' and total >= 1000}. False for records that are not changes.
 */
public class ChangeMatches<R extends ConnectRecord<R>> implements Predicate<R> {

    public static final String CONDITION = "condition";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(CONDITION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ChangeMatches::validate, Importance.HIGH,
                    "The condition, e.g. op != 'd' and table = 'orders' and total >= 100. Names: op (c, u, d, r, t), "
                            + "schema, table, a column of the row (for a delete, the row before it), after.<column>, "
                            + "before.<column>; operators =, !=, <, <=, >, >=, in (...), like '%x_', is [not] null, "
                            + "and, or, not, parentheses. See docs/transforms.md.");

    private Condition condition;

    @Override
    public void configure(Map<String, ?> props) {
        condition = Condition.parse(new SimpleConfig(CONFIG_DEF, props).getString(CONDITION));
    }

    @Override
    public boolean test(R record) {
        Condition.Change change = Condition.Change.of(record);
        return change.shape().isChange() && condition.test(change);
    }

    static void validate(String name, Object value) {
        try {
            Condition.parse((String) value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "ChangeMatches{" + condition + "}";
    }
}
