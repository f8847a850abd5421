package io.cdcpipeline.sink.clickhouse.types;

import io.cdcpipeline.core.types.ListValues;
import java.util.List;
import org.apache.kafka.connect.data.Schema;

/** Postgres arrays: {@code Array(T)} of the element's type, elements Nullable where the element schema is. */
final class ArrayFamily implements TypeFamily {

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (schema.type() != Schema.Type.ARRAY) {
            return null;
        }
        ClickHouseType element = context.registry().elementType(schema.valueSchema());
        return ClickHouseType.of("Array(" + element.sql() + ")", new ColumnCodec() {
            @Override
            public void write(Object value, RowBinaryOutput out) {
                List<?> items = (List<?>) value;
                out.writeVarUInt(items.size());
                for (Object item : items) {
                    element.write(item, out);
                }
            }

            @Override
            public Object nearest(Object value) {
                return ListValues.mapped((List<?>) value, element::nearest);
            }

            @Override
            public String range() {
                return "elements: " + element.held();
            }

            @Override
            public void writeDefault(RowBinaryOutput out) {
                out.writeVarUInt(0);
            }

            @Override
            public void skip(RowBinaryInput in) {
                long count = in.readVarUInt();
                for (long i = 0; i < count; i++) {
                    element.skip(in);
                }
            }
        });
    }
}
