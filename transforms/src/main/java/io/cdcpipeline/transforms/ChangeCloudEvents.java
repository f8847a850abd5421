package io.cdcpipeline.transforms;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.types.RowJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * Turns the changes of ordinary tables into CloudEvents 1.0 (structured), one event per insert, update and delete,
 * in an event table per source table ({@code ${table}_events}). The event id is derived from the table, the change's
 * position in the WAL (LSN), its operation and its key, so a change delivered again is the same event and the sinks
 * keep it once. {@code data} is JSON: {@code {"op": ..., "before": {...}, "after": {...}}}, the rows as Postgres
 * held them ({@code before} where Postgres sends it). Changes of tables {@code table.regex} does not match pass
 * unchanged; tombstones and truncates of matched tables are dropped.
 *
 * <p>The transform replaces the change by its event: to keep the table's copy too, give the events a sink of their
 * own (in the embedded runner, a third sink with this transform; on Connect, a connector reading the table's topic).
 */
public class ChangeCloudEvents<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String TABLE_REGEX = "table.regex";
    public static final String TARGET_TABLE = "target.table";
    public static final String EVENT_SOURCE = "event.source";
    public static final String EVENT_TYPE = "event.type";
    public static final String SNAPSHOT_READS = "snapshot.reads";

    public static final String OVERVIEW_DOC = "Turns inserts, updates and deletes of tables into CloudEvents 1.0, one "
            + "event table per source table, each event id derived from the change so a redelivery is kept once.";

    private static final List<String> PLACEHOLDERS = List.of("schema", "table");

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TABLE_REGEX, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ConfigValidators.regex(), Importance.HIGH,
                    "A Java regular expression matched against the whole '<schema>.<table>' of the source table: the "
                            + "tables whose changes become events, e.g. public\\.(orders|payments). Changes of other "
                            + "tables pass unchanged.")
            .define(TARGET_TABLE, Type.STRING, "${table}_events", NameTemplates.validator(PLACEHOLDERS, null),
                    Importance.HIGH, "The event table of a source table's events: a template with ${schema} and "
                            + "${table}.")
            .define(EVENT_SOURCE, Type.STRING, "/postgres/${schema}/${table}", NameTemplates.validator(PLACEHOLDERS,
                    null), Importance.MEDIUM, "The CloudEvent's 'source' (a URI reference): a template with "
                            + "${schema} and ${table}.")
            .define(EVENT_TYPE, Type.STRING, "${schema}.${table}.${operation}", NameTemplates.validator(
                    List.of("schema", "table", "operation"), null), Importance.MEDIUM,
                    "The CloudEvent's 'type': a template with ${schema}, ${table} and ${operation} (created, "
                            + "updated, deleted, read), e.g. com.example.shop.${table}.${operation}.")
            .define(SNAPSHOT_READS, Type.STRING, "drop", ValidString.in("drop", "emit"), Importance.LOW,
                    "Rows read by a snapshot are no change: 'drop' them, or 'emit' each as an event of operation "
                            + "'read' (a snapshot taken again emits them again, with new ids).");

    private Pattern tableRegex;
    private String targetTable;
    private String eventSource;
    private String eventType;
    private boolean emitReads;
    private final Map<TableId, Boolean> matched = new ConcurrentHashMap<>();
    private final Map<Schema, CloudEventRecords.Schemas> schemas = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        tableRegex = Pattern.compile(config.getString(TABLE_REGEX));
        targetTable = config.getString(TARGET_TABLE);
        eventSource = config.getString(EVENT_SOURCE);
        eventType = config.getString(EVENT_TYPE);
        emitReads = config.getString(SNAPSHOT_READS).equals("emit");
    }

    @Override
    public R apply(R record) {
        ChangeShape shape = ChangeShape.of(record.value());
        TableId table = shape.isChange() || shape == ChangeShape.TOMBSTONE ? shape.table(record) : null;
        if (table == null || !matched.computeIfAbsent(table, t -> tableRegex.matcher(t.toString()).matches())) {
            return record;
        }
        if (shape == ChangeShape.TOMBSTONE) {
            return null; // the delete before it is the event
        }
        if (shape != ChangeShape.ENVELOPE) {
            throw new DataException(ChangeEvent.describe(record) + ": events of " + table + " are read from Debezium "
                    + "envelopes with schemas; this record is " + shape);
        }
        Struct value = (Struct) record.value();
        String operation = switch (value.getString("op")) {
            case "c" -> "created";
            case "u" -> "updated";
            case "d" -> "deleted";
            case "r" -> emitReads ? "read" : null;
            default -> null; // truncates: no row, no event
        };
        if (operation == null) {
            return null;
        }
        Struct before = value.getStruct("before");
        Struct after = value.getStruct("after");
        Struct source = value.getStruct("source");
        Object key = record.key();
        String keyJson = key instanceof Struct struct ? RowJson.of(struct) : null;
        Object lsn = source.schema().field("lsn") == null ? null : source.get("lsn");
        // The same change (table, WAL position, operation, key) is the same event, however often it is delivered.
        String identity = table + "/" + lsn + "/" + value.getString("op") + "/"
                + (keyJson != null ? keyJson : RowJson.of(after != null ? after : before));
        String id = UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
        String data = "{\"op\":\"" + value.getString("op") + "\",\"before\":"
                + (before == null ? "null" : RowJson.of(before)) + ",\"after\":"
                + (after == null ? "null" : RowJson.of(after)) + "}";
        TableId target = new TableId(table.schema(), fill(targetTable, table, operation));
        CloudEventRecords.Schemas shapes = schemas.computeIfAbsent(value.schema(), s -> CloudEventRecords.schemas(s,
                true));
        return CloudEventRecords.record(record, value, target, shapes, new CloudEventRecords.Attributes(id,
                fill(eventSource, table, operation), fill(eventType, table, operation), subject(key, keyJson),
                CloudEventRecords.commitTime(source), "application/json", data));
    }

    /** The key as the event's subject: a one-column key's value, a wider key as JSON; none without a key. */
    private static String subject(Object key, String keyJson) {
        if (key instanceof Struct struct && struct.schema().fields().size() == 1) {
            Object only = struct.get(struct.schema().fields().get(0));
            return only == null ? null : String.valueOf(only);
        }
        return keyJson;
    }

    private static String fill(String template, TableId table, String operation) {
        return template.replace("${schema}", table.schema()).replace("${table}", table.table())
                .replace("${operation}", operation);
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
