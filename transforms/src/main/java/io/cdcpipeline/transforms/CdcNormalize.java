package io.cdcpipeline.transforms;

import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.ChangeEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * Turns a Debezium change envelope into the flat row our sinks (and any other consumer) can take as it is, with the
 * CDC metadata that makes writes idempotent carried along as fields: {@code __op}, {@code __lsn}, {@code __txId},
 * {@code __source_ts_ms}, {@code __schema}, {@code __table} and {@code __deleted}. Deletes come out as the row's
 * before-image (at least its key) with {@code __deleted=true} ("rewrite"), as a tombstone, or not at all; Debezium's
 * own tombstones are kept or dropped. Records that are not Debezium envelopes pass through or fail, as configured.
 */
public class CdcNormalize<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String DELETE_HANDLING = "delete.handling";
    public static final String TOMBSTONES = "tombstones";
    public static final String ON_NON_ENVELOPE = "on.non.envelope";
    public static final String METADATA_LOCATION = "metadata.location";

    public static final String OVERVIEW_DOC = "Flattens a Debezium change envelope into its row plus CDC metadata "
            + "fields (" + String.join(", ", List.of(CdcFields.OPERATION, CdcFields.LSN, CdcFields.TX_ID,
            CdcFields.SOURCE_TS_MS, CdcFields.SCHEMA, CdcFields.TABLE, CdcFields.DELETED)) + ").";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(DELETE_HANDLING, Type.STRING, "rewrite", ValidString.in("rewrite", "tombstone", "drop"),
                    Importance.MEDIUM,
                    "What a delete becomes: 'rewrite' a row (the before-image, at least the key) with "
                            + CdcFields.DELETED + "=true, which versioned sinks turn into a versioned delete; "
                            + "'tombstone' a record with a null value; 'drop' nothing.")
            .define(TOMBSTONES, Type.STRING, "keep", ValidString.in("keep", "drop"), Importance.MEDIUM,
                    "Whether Debezium's tombstones (null values after deletes, for log compaction) pass on or are dropped.")
            .define(ON_NON_ENVELOPE, Type.STRING, "pass", ValidString.in("pass", "fail"), Importance.MEDIUM,
                    "A record that is not a Debezium change envelope: 'pass' it on unchanged, or 'fail' with an error "
                            + "that names the record.")
            .define(METADATA_LOCATION, Type.STRING, "fields", ValidString.in("fields", "headers", "both"),
                    Importance.MEDIUM, "Where the CDC metadata goes: 'fields' of the row (what our sinks read), "
                            + "'headers' of the record under the same names (for consumers that want the bare row; "
                            + "our sinks then cannot order writes), or 'both'.");

    private String deleteHandling;
    private boolean dropTombstones;
    private boolean failOnNonEnvelope;
    private boolean metadataInFields;
    private boolean metadataInHeaders;
    private final Map<Schema, FlatLayout> layouts = new ConcurrentHashMap<>();

    /** A row schema's flat form, with its fields looked up once: copying by Field is what keeps this cheap. */
    private record FlatLayout(Schema flat, Field[] from, Field[] to, Field[] metadata) {
        static FlatLayout of(Schema row, boolean withMetadata) {
            Schema flat = withMetadata ? flatSchema(row) : row;
            Field[] from = row.fields().toArray(new Field[0]);
            Field[] to = new Field[from.length];
            for (int i = 0; i < from.length; i++) {
                to[i] = flat.field(from[i].name());
            }
            Field[] metadata = new Field[Metadata.NAMES.length];
            for (int i = 0; withMetadata && i < metadata.length; i++) {
                metadata[i] = flat.field(Metadata.NAMES[i]);
            }
            return new FlatLayout(flat, from, to, metadata);
        }
    }

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        deleteHandling = config.getString(DELETE_HANDLING);
        dropTombstones = "drop".equals(config.getString(TOMBSTONES));
        failOnNonEnvelope = "fail".equals(config.getString(ON_NON_ENVELOPE));
        String location = config.getString(METADATA_LOCATION);
        metadataInFields = !"headers".equals(location);
        metadataInHeaders = !"fields".equals(location);
    }

    @Override
    public R apply(R record) {
        if (record.value() == null) {
            return dropTombstones ? null : record;
        }
        ChangeShape shape = ChangeShape.of(record.value());
        if (!shape.isEnvelope()) {
            if (failOnNonEnvelope) {
                throw new DataException(ChangeEvent.describe(record) + ": expected a Debezium change envelope "
                        + "(before, after, source, op), got " + (record.valueSchema() == null
                        ? record.value().getClass().getSimpleName() : record.valueSchema().name()));
            }
            return record;
        }
        Metadata metadata = shape == ChangeShape.ENVELOPE ? Metadata.of(ChangeEvent.of(record)) : Metadata.of(castMap(record.value()));
        if (metadata.deleted() && !"rewrite".equals(deleteHandling)) {
            return "drop".equals(deleteHandling) ? null
                    : record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                            null, null, record.timestamp());
        }
        Object row = shape.row(record.value());
        if (row == null && metadata.deleted()) {
            row = record.key();
        }
        if (row == null) {
            return record; // a truncate: no row to flatten, left as Debezium sent it
        }
        Headers headers = record.headers();
        if (metadataInHeaders) {
            headers = headers.duplicate();
            metadata.addTo(headers);
        }
        if (row instanceof Struct struct) {
            FlatLayout layout = layouts.computeIfAbsent(struct.schema(), r -> FlatLayout.of(r, metadataInFields));
            Struct out = new Struct(layout.flat());
            for (int i = 0; i < layout.from().length; i++) {
                StructCopier.putValid(out, layout.to()[i], struct.getWithoutDefault(layout.from()[i].name()));
            }
            if (metadataInFields) {
                Object[] values = metadata.values();
                for (int i = 0; i < values.length; i++) {
                    out.put(layout.metadata()[i], values[i]); // ours: validated, so a wrong type shows here
                }
            }
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                    layout.flat(), out, record.timestamp(), headers);
        }
        Map<String, Object> out = new LinkedHashMap<>(castMap(row));
        if (metadataInFields) {
            Object[] values = metadata.values();
            for (int i = 0; i < values.length; i++) {
                out.put(Metadata.NAMES[i], values[i]);
            }
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), null, out,
                record.timestamp(), headers);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    /** The CDC metadata of one change, read from an envelope with a schema or from a schemaless one. */
    private record Metadata(String op, Long lsn, Long txId, Long sourceTsMs, String schema, String table, boolean deleted) {
        static Metadata of(ChangeEvent event) {
            return new Metadata(event.operation().code(), event.lsn(),
                    event.transactionId(), event.sourceCommitTime() == null ? null : event.sourceCommitTime().toEpochMilli(),
                    event.table().schema(), event.table().table(), event.isDelete());
        }

        static Metadata of(Map<String, Object> envelope) {
            Map<?, ?> source = envelope.get("source") instanceof Map<?, ?> m ? m : Map.of();
            String op = String.valueOf(envelope.get("op"));
            Long tsMs = source.get("ts_us") instanceof Number us ? us.longValue() / 1000
                    : source.get("ts_ms") instanceof Number ms ? ms.longValue() : null;
            return new Metadata(op, number(source.get("lsn")), number(source.get("txId")), tsMs,
                    (String) source.get("schema"), (String) source.get("table"), "d".equals(op));
        }

        private static Long number(Object value) {
            return value instanceof Number n ? n.longValue() : null;
        }

        /** The metadata field names, in the order of {@link #values()}. */
        static final String[] NAMES = {CdcFields.OPERATION, CdcFields.LSN, CdcFields.TX_ID, CdcFields.SOURCE_TS_MS,
            CdcFields.SCHEMA, CdcFields.TABLE, CdcFields.DELETED};

        Object[] values() {
            return new Object[] {op, lsn, txId, sourceTsMs, schema, table, deleted};
        }

        void addTo(Headers headers) {
            headers.addString(CdcFields.OPERATION, op);
            if (lsn != null) {
                headers.addLong(CdcFields.LSN, lsn);
            }
            if (txId != null) {
                headers.addLong(CdcFields.TX_ID, txId);
            }
            if (sourceTsMs != null) {
                headers.addLong(CdcFields.SOURCE_TS_MS, sourceTsMs);
            }
            headers.addString(CdcFields.SCHEMA, schema);
            headers.addString(CdcFields.TABLE, table);
            headers.addBoolean(CdcFields.DELETED, deleted);
        }
    }

    private static Schema flatSchema(Schema row) {
        SchemaBuilder builder = SchemaBuilder.struct().name(row.name()).optional();
        for (Field field : row.fields()) {
            builder.field(field.name(), field.schema());
        }
        return builder
                .field(CdcFields.OPERATION, Schema.STRING_SCHEMA)
                .field(CdcFields.LSN, Schema.OPTIONAL_INT64_SCHEMA)
                .field(CdcFields.TX_ID, Schema.OPTIONAL_INT64_SCHEMA)
                .field(CdcFields.SOURCE_TS_MS, Schema.OPTIONAL_INT64_SCHEMA)
                .field(CdcFields.SCHEMA, Schema.STRING_SCHEMA)
                .field(CdcFields.TABLE, Schema.STRING_SCHEMA)
                .field(CdcFields.DELETED, Schema.BOOLEAN_SCHEMA)
                .build();
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        layouts.clear();
    }
}
