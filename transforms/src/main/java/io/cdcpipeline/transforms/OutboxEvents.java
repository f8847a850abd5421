package io.cdcpipeline.transforms;

import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.types.LogicalValues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the rows a service inserts into its transactional outbox table into CloudEvents 1.0 (structured: {@code id},
 * {@code source}, {@code specversion}, {@code type}, {@code subject}, {@code time}, {@code datacontenttype},
 * {@code data}), one event table per aggregate type. Each event is an insert keyed by its event id into the table
 * {@code target.table} names, so a sink keeps every event once, even when it is delivered again (ClickHouse replaces
 * by the key, Elasticsearch's document id is the event id). Deletes of outbox rows (the usual clean-up right after
 * the insert) and their tombstones are dropped; updates are not events and are dropped with a warning once per table.
 * Changes of other tables pass unchanged.
 *
 * <p>The event's change names its event table as its source table: the event tables are derived from the outbox and
 * have no table of their own in Postgres, so a snapshot of the outbox (which no longer holds the deleted rows) never
 * removes events from them. The outbox table stays named in the CloudEvent's {@code source}.
 */
public class OutboxEvents<R extends ConnectRecord<R>> implements Transformation<R> {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxEvents.class);

    public static final String TABLE_REGEX = "table.regex";
    public static final String COLUMN_EVENT_ID = "column.event.id";
    public static final String COLUMN_AGGREGATE_TYPE = "column.aggregate.type";
    public static final String COLUMN_AGGREGATE_ID = "column.aggregate.id";
    public static final String COLUMN_EVENT_TYPE = "column.event.type";
    public static final String COLUMN_PAYLOAD = "column.payload";
    public static final String COLUMN_TIME = "column.time";
    public static final String TARGET_TABLE = "target.table";
    public static final String EVENT_SOURCE = "event.source";
    public static final String EVENT_TYPE_PREFIX = "event.type.prefix";
    public static final String DATA_CONTENT_TYPE = "data.content.type";

    public static final String OVERVIEW_DOC = "Turns the rows of a transactional outbox table into CloudEvents 1.0, "
            + "one append-only event table per aggregate type, keyed by the event id; deletes of outbox rows are "
            + "dropped.";

    public static final String SPEC_VERSION = CloudEventRecords.SPEC_VERSION;
    private static final Pattern NAME_PART = Pattern.compile("[A-Za-z0-9_]+");
    private static final ConfigDef.Validator TEMPLATE =
            NameTemplates.validator(List.of("aggregatetype", "schema", "table"), null);
    private static final Pattern NO_SPACE = Pattern.compile("[^\\s\\p{Cntrl}]*");

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(TABLE_REGEX, Type.STRING, ".*\\.outbox_events", ConfigValidators.regex(), Importance.HIGH,
                    "A Java regular expression matched against the whole '<schema>.<table>' of the source table: "
                            + "the outbox tables. Changes of tables it does not match pass unchanged.")
            .define(COLUMN_EVENT_ID, Type.STRING, "id", ConfigValidators.columnName(), Importance.HIGH,
                    "The outbox column holding the event id (uuid, text or a number): the CloudEvent's 'id' and the "
                            + "key the event is kept once by.")
            .define(COLUMN_AGGREGATE_TYPE, Type.STRING, "aggregatetype", ConfigValidators.columnName(), Importance.HIGH,
                    "The outbox column naming the aggregate type (e.g. 'order'): picks the event table through "
                            + "${aggregatetype} in '" + TARGET_TABLE + "'. Its values must be letters, digits and _; "
                            + "anything else is refused with the record named, never rewritten.")
            .define(COLUMN_AGGREGATE_ID, Type.STRING, "aggregateid", ConfigValidators.columnName(), Importance.MEDIUM,
                    "The outbox column holding the aggregate's id: the CloudEvent's 'subject'.")
            .define(COLUMN_EVENT_TYPE, Type.STRING, "type", ConfigValidators.columnName(), Importance.HIGH,
                    "The outbox column holding the event type (e.g. 'OrderCreated'): the CloudEvent's 'type', after '"
                            + EVENT_TYPE_PREFIX + "'.")
            .define(COLUMN_PAYLOAD, Type.STRING, "payload", ConfigValidators.columnName(), Importance.HIGH,
                    "The outbox column holding the event's body (jsonb or text): the CloudEvent's 'data'. A jsonb "
                            + "payload stays JSON in both copies (an object in Elasticsearch).")
            .define(COLUMN_TIME, Type.STRING, "", ConfigValidators.columnName(), Importance.MEDIUM,
                    "The outbox column holding when the event happened (timestamp or timestamptz): the CloudEvent's "
                            + "'time'. Empty: the commit time of the transaction that wrote the row (a snapshot "
                            + "read of a row still in the outbox then carries the snapshot's time).")
            .define(TARGET_TABLE, Type.STRING, "${aggregatetype}_events", TEMPLATE,
                    Importance.HIGH, "The event table of an event: a template with ${aggregatetype}, ${schema} and "
                            + "${table} (the outbox's), e.g. ${aggregatetype}_events or events_${aggregatetype}.")
            .define(EVENT_SOURCE, Type.STRING, "/postgres/${schema}/${table}", TEMPLATE,
                    Importance.MEDIUM, "The CloudEvent's 'source' (a URI reference): a template with ${schema} "
                            + "and ${table} (the outbox's) and ${aggregatetype}.")
            .define(EVENT_TYPE_PREFIX, Type.STRING, "", ConfigDef.LambdaValidator.with((name, value) -> {
                if (value != null && !NO_SPACE.matcher((String) value).matches()) {
                    throw new ConfigException(name, value, "must have no whitespace or control characters");
                }
            }, () -> "empty, or text without whitespace"), Importance.LOW,
                    "Put before the event type column's value in the CloudEvent's 'type', e.g. 'com.example.' for "
                            + "reverse-DNS types.")
            .define(DATA_CONTENT_TYPE, Type.STRING, "application/json", new ConfigDef.NonEmptyString(),
                    Importance.LOW, "The CloudEvent's 'datacontenttype'.");

    private Pattern tableRegex;
    private String idColumn;
    private String aggregateTypeColumn;
    private String aggregateIdColumn;
    private String typeColumn;
    private String payloadColumn;
    private String timeColumn;
    private String targetTable;
    private String eventSource;
    private String typePrefix;
    private String dataContentType;
    private final Map<TableId, Boolean> outboxes = new ConcurrentHashMap<>();
    private final Set<TableId> updatesWarned = ConcurrentHashMap.newKeySet();
    /** The event envelope per outbox schema (its source block and payload type), made once. */
    private final Map<Schema, CloudEventRecords.Schemas> schemas = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        tableRegex = Pattern.compile(config.getString(TABLE_REGEX));
        idColumn = config.getString(COLUMN_EVENT_ID).trim();
        aggregateTypeColumn = config.getString(COLUMN_AGGREGATE_TYPE).trim();
        aggregateIdColumn = config.getString(COLUMN_AGGREGATE_ID).trim();
        typeColumn = config.getString(COLUMN_EVENT_TYPE).trim();
        payloadColumn = config.getString(COLUMN_PAYLOAD).trim();
        timeColumn = config.getString(COLUMN_TIME).trim();
        targetTable = config.getString(TARGET_TABLE);
        eventSource = config.getString(EVENT_SOURCE);
        typePrefix = config.getString(EVENT_TYPE_PREFIX);
        dataContentType = config.getString(DATA_CONTENT_TYPE);
        for (String required : new String[] {COLUMN_EVENT_ID, COLUMN_AGGREGATE_TYPE, COLUMN_AGGREGATE_ID,
                COLUMN_EVENT_TYPE, COLUMN_PAYLOAD}) {
            if (config.getString(required).isBlank()) {
                throw new ConfigException(required, "", "names the outbox column the CloudEvent needs; it must be set");
            }
        }
    }

    @Override
    public R apply(R record) {
        ChangeShape shape = ChangeShape.of(record.value());
        TableId table = shape.isChange() || shape == ChangeShape.TOMBSTONE ? shape.table(record) : null;
        if (table == null || !outboxes.computeIfAbsent(table, t -> tableRegex.matcher(t.toString()).matches())) {
            return record;
        }
        if (shape == ChangeShape.TOMBSTONE) {
            return null; // follows a delete of an outbox row, which is dropped too
        }
        if (shape != ChangeShape.ENVELOPE) {
            throw new DataException(ChangeEvent.describe(record) + ": " + table + " is an outbox table, and outbox "
                    + "events are read from Debezium envelopes with schemas; this record is " + shape);
        }
        Struct value = (Struct) record.value();
        String op = value.getString("op");
        switch (op) {
            case "c", "r" -> {
                return event(record, table, value);
            }
            case "u" -> {
                if (updatesWarned.add(table)) {
                    LOG.warn("An update of outbox table {} is not an event and is dropped ({}); outbox rows are "
                            + "inserted once and deleted, and this warning is given once per table", table,
                            ChangeEvent.describe(record));
                }
                return null;
            }
            default -> {
                return null; // deletes (the outbox's clean-up) and truncates are not events
            }
        }
    }

    private R event(R record, TableId outbox, Struct value) {
        Struct row = value.getStruct("after");
        Struct source = value.getStruct("source");
        String id = text(record, outbox, row, idColumn, true);
        String aggregateType = text(record, outbox, row, aggregateTypeColumn, true);
        if (!NAME_PART.matcher(aggregateType).matches()) {
            throw new DataException(ChangeEvent.describe(record) + ": aggregate type '" + aggregateType + "' in column '"
                    + aggregateTypeColumn + "' of " + outbox + " cannot name an event table (letters, digits and _ "
                    + "only)");
        }
        TableId target = new TableId(outbox.schema(), fill(targetTable, outbox, aggregateType));
        CloudEventRecords.Schemas shapes = schemas.computeIfAbsent(value.schema(), s -> {
            Field payload = row.schema().field(payloadColumn);
            return CloudEventRecords.schemas(s, payload != null
                    && CloudEventRecords.JSON.equals(payload.schema().name()));
        });
        return CloudEventRecords.record(record, value, target, shapes, new CloudEventRecords.Attributes(id,
                fill(eventSource, outbox, aggregateType), typePrefix + text(record, outbox, row, typeColumn, true),
                text(record, outbox, row, aggregateIdColumn, false), time(record, outbox, row, source),
                dataContentType, text(record, outbox, row, payloadColumn, false)));
    }

    /** A column's value as text; a required column missing or null refuses the record, naming it. */
    private static String text(ConnectRecord<?> record, TableId outbox, Struct row, String column, boolean required) {
        Field field = row.schema().field(column);
        Object value = field == null ? null : row.getWithoutDefault(column);
        if (value == null) {
            if (required) {
                throw new DataException(ChangeEvent.describe(record) + ": outbox " + outbox + " has "
                        + (field == null ? "no column '" + column + "'" : "a null '" + column + "'")
                        + ", which the CloudEvent needs");
            }
            return null;
        }
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : String.valueOf(value);
    }

    /** When the event happened, as RFC 3339: the time column's value, else the source commit time. */
    private String time(ConnectRecord<?> record, TableId outbox, Struct row, Struct source) {
        if (!timeColumn.isEmpty()) {
            Field field = row.schema().field(timeColumn);
            if (field == null) {
                throw new DataException(ChangeEvent.describe(record) + ": outbox " + outbox + " has no column '"
                        + timeColumn + "' (" + COLUMN_TIME + ")");
            }
            Object value = LogicalValues.toJava(field.schema(), row.getWithoutDefault(timeColumn));
            Instant instant;
            if (value == null) {
                instant = null;
            } else if (value instanceof Instant i) {
                instant = i;
            } else if (value instanceof OffsetDateTime o) {
                instant = o.toInstant();
            } else if (value instanceof ZonedDateTime z) {
                instant = z.toInstant();
            } else if (value instanceof LocalDateTime l) {
                instant = l.toInstant(ZoneOffset.UTC); // timestamp without time zone: read as UTC
            } else {
                throw new DataException(ChangeEvent.describe(record) + ": column '" + timeColumn + "' of " + outbox
                        + " is not a timestamp (" + COLUMN_TIME + ")");
            }
            if (instant != null) {
                return instant.toString();
            }
        }
        return CloudEventRecords.commitTime(source);
    }

    private static String fill(String template, TableId outbox, String aggregateType) {
        return template.replace("${aggregatetype}", aggregateType).replace("${schema}", outbox.schema())
                .replace("${table}", outbox.table());
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
    }
}
