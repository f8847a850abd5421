package io.cdcpipeline.transforms;

import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.TableId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.metrics.Monitorable;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * Marks the first change of a table whose row schema differs from the one before it (columns added, removed or
 * retyped), with a header that says what changed, e.g. {@code added: phone (string); retyped: total (int32 -> int64)},
 * and counts it as the plugin metric {@code schema-changes-total}. Sinks and the lag monitor can react, for example
 * by running a consistency check. Works on envelopes and flattened rows, with schemas or schemaless (compares
 * column names then). What it remembers is per process: the first change of each table after a start is only
 * marked when {@value #SIGNAL_FIRST} is set.
 */
public class SchemaChangeSignal<R extends ConnectRecord<R>> implements Transformation<R>, Monitorable {

    public static final String HEADER = "header";
    public static final String SIGNAL_FIRST = "signal.first.seen";
    public static final String TABLE_HEADER_SUFFIX = ".table";

    public static final String OVERVIEW_DOC = "Adds a header (and counts a metric) when a table's schema changes.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(HEADER, Type.STRING, "cdc.schema.change", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The header that carries what changed; a second header <header>.table names the table.")
            .define(SIGNAL_FIRST, Type.BOOLEAN, false, Importance.LOW,
                    "Also mark the first change of each table seen since the start (as 'first seen: <columns>'), "
                            + "for consumers that must not miss a change made while the pipeline was down.");

    /** A row schema reduced to what a sink cares about: column names and types, in order. */
    private record Shape(Object identity, Map<String, String> columns) {
    }

    private String header;
    private boolean signalFirst;
    private final Map<TableId, Shape> last = new ConcurrentHashMap<>();
    private Sensor changes;

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        header = config.getString(HEADER);
        signalFirst = config.getBoolean(SIGNAL_FIRST);
    }

    @Override
    public void withPluginMetrics(PluginMetrics metrics) {
        changes = metrics.addSensor("schema-changes");
        changes.add(metrics.metricName("schema-changes-total", "Tables whose row schema changed between records.",
                new LinkedHashMap<>()), new CumulativeSum());
    }

    @Override
    public R apply(R record) {
        ChangeShape shape = ChangeShape.of(record.value());
        if (!shape.isChange()) {
            return record;
        }
        Object row = shape.row(record.value());
        if (row == null) {
            return record; // truncates carry no row
        }
        TableId table = shape.table(record);
        if (table == null) {
            return record;
        }
        Object identity = row instanceof Struct struct ? struct.schema() : null;
        Shape before = last.get(table);
        if (before != null && identity != null && before.identity() == identity) {
            return record; // the same schema object: the common case, decided without comparing
        }
        Shape now = new Shape(identity, columns(row));
        last.put(table, now);
        String change;
        if (before == null) {
            if (!signalFirst) {
                return record;
            }
            change = "first seen: " + String.join(", ", now.columns().keySet());
        } else {
            change = describe(before.columns(), now.columns());
            if (change == null) {
                return record; // a new schema object with the same columns
            }
            if (changes != null) {
                changes.record();
            }
        }
        Headers headers = record.headers().duplicate();
        headers.addString(header, change);
        headers.addString(header + TABLE_HEADER_SUFFIX, table.toString());
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                record.valueSchema(), record.value(), record.timestamp(), headers);
    }

    private static Map<String, String> columns(Object row) {
        Map<String, String> columns = new LinkedHashMap<>();
        if (row instanceof Struct struct) {
            for (Field field : struct.schema().fields()) {
                if (!CdcFields.isMetadata(field.name())) {
                    columns.put(field.name(), typeOf(field.schema()));
                }
            }
        } else if (row instanceof Map<?, ?> map) {
            for (Object name : map.keySet()) {
                if (!CdcFields.isMetadata(String.valueOf(name))) {
                    columns.put(String.valueOf(name), "");
                }
            }
        }
        return columns;
    }

    private static String typeOf(Schema schema) {
        String type = schema.name() == null ? schema.type().getName() : schema.type().getName() + " " + schema.name();
        if (schema.parameters() != null && !schema.parameters().isEmpty()) {
            type += " " + schema.parameters();
        }
        return schema.isOptional() ? type : type + " not null";
    }

    /** What changed between two column sets, or null when nothing did. */
    static String describe(Map<String, String> before, Map<String, String> after) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        after.forEach((name, type) -> {
            if (!before.containsKey(name)) {
                added.add(type.isEmpty() ? name : name + " (" + type + ")");
            } else if (!Objects.equals(before.get(name), type)) {
                retyped.add(name + " (" + before.get(name) + " -> " + type + ")");
            }
        });
        before.keySet().stream().filter(name -> !after.containsKey(name)).forEach(removed::add);
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added: " + String.join(", ", added));
        }
        if (!removed.isEmpty()) {
            parts.add("removed: " + String.join(", ", removed));
        }
        if (!retyped.isEmpty()) {
            parts.add("retyped: " + String.join(", ", retyped));
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        last.clear();
    }
}
