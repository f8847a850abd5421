package io.cdcpipeline.transforms;

import io.cdcpipeline.core.CdcFields;
import io.cdcpipeline.core.ChangeEvent;
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
                            + "that names the record.");

    private String deleteHandling;
    private boolean dropTombstones;
    private boolean failOnNonEnvelope;
    private final Map<Schema, Schema> flatSchemas = new ConcurrentHashMap<>();

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        deleteHandling = config.getString(DELETE_HANDLING);
        dropTombstones = "drop".equals(config.getString(TOMBSTONES));
        failOnNonEnvelope = "fail".equals(config.getString(ON_NON_ENVELOPE));
    }

    @Override
    public R apply(R record) {
        if (record.value() == null) {
            return dropTombstones ? null : record;
        }
        if (!(record.value() instanceof Struct value) || !isEnvelope(value.schema())) {
            if (failOnNonEnvelope) {
                throw new DataException(ChangeEvent.describe(record) + ": expected a Debezium change envelope "
                        + "(before, after, source, op), got " + (record.valueSchema() == null
                        ? String.valueOf(record.value()) : record.valueSchema().name()));
            }
            return record;
        }
        ChangeEvent event = ChangeEvent.of(record);
        Struct row = event.isDelete() ? event.before() != null ? event.before() : event.key() : event.after();
        if (event.isDelete() && !"rewrite".equals(deleteHandling)) {
            return "drop".equals(deleteHandling) ? null
                    : record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                            null, null, record.timestamp());
        }
        if (row == null) {
            return record; // a truncate: no row to flatten, left as Debezium sent it
        }
        Schema flat = flatSchemas.computeIfAbsent(row.schema(), CdcNormalize::flatSchema);
        Struct out = new Struct(flat);
        for (Field field : row.schema().fields()) {
            out.put(field.name(), row.get(field));
        }
        out.put(CdcFields.OPERATION, event.operation().code());
        out.put(CdcFields.LSN, event.isUnplacedIncrementalRead() ? null : event.lsn());
        out.put(CdcFields.TX_ID, event.transactionId());
        out.put(CdcFields.SOURCE_TS_MS, event.sourceCommitTime() == null ? null : event.sourceCommitTime().toEpochMilli());
        out.put(CdcFields.SCHEMA, event.table().schema());
        out.put(CdcFields.TABLE, event.table().table());
        out.put(CdcFields.DELETED, event.isDelete());
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), flat, out,
                record.timestamp());
    }

    private static boolean isEnvelope(Schema schema) {
        return schema.type() == Schema.Type.STRUCT && schema.field("op") != null && schema.field("source") != null
                && schema.field("after") != null;
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
        flatSchemas.clear();
    }
}
