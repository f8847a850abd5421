package io.cdcpipeline.sink.clickhouse.types;

import io.cdcpipeline.sink.clickhouse.dialect.ClickHouseDialect;
import java.util.List;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

/**
 * From a Connect/Debezium field schema to the ClickHouse column type. Families are asked in order, logical types
 * before the physical types they are carried in (a {@code MicroTimestamp} is an INT64 underneath).
 */
public final class TypeRegistry {

    private static final List<TypeFamily> FAMILIES = List.of(
            new DecimalFamily(),
            new DateFamily(),
            new TimestampFamily(),
            new TimeFamily(),
            new UuidFamily(),
            new SpatialFamily(),
            new TextFamily(),
            new IntegerFamily(),
            new FloatFamily(),
            new BinaryFamily(),
            new ArrayFamily(),
            new StructuredFamily());

    private final TypeContext context;

    public TypeRegistry(ClickHouseDialect dialect) {
        this.context = new TypeContext(dialect, this);
    }

    /**
     * The column type of a source column: Nullable exactly where the source column is optional, except for arrays
     * (ClickHouse has no Nullable arrays: NULL is written as an empty array) and for key columns on servers that
     * allow no Nullable sorting key.
     */
    public ClickHouseType columnType(Schema schema, boolean keyColumn) {
        ClickHouseType base = baseType(schema);
        boolean nullable = schema.isOptional() && schema.type() != Schema.Type.ARRAY
                && (!keyColumn || context.dialect().allowsNullableKey());
        return nullable ? base.asNullable() : base;
    }

    /** The type of array elements: Nullable where the element schema is optional. */
    ClickHouseType elementType(Schema schema) {
        ClickHouseType base = baseType(schema);
        return schema.isOptional() && schema.type() != Schema.Type.ARRAY ? base.asNullable() : base;
    }

    private ClickHouseType baseType(Schema schema) {
        for (TypeFamily family : FAMILIES) {
            ClickHouseType type = family.map(schema, context);
            if (type != null) {
                return type;
            }
        }
        throw new DataException("no ClickHouse type for a field of schema type " + schema.type()
                + (schema.name() == null ? "" : " (" + schema.name() + ")"));
    }
}
