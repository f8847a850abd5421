package io.cdcpipeline.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.sink.clickhouse.dialect.ModernDialect;
import io.cdcpipeline.sink.clickhouse.types.ClickHouseType;
import io.cdcpipeline.sink.clickhouse.types.TypeRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

class ColumnRenamesTest {

    private final TypeRegistry types = new TypeRegistry(new ModernDialect());

    private List<Field> fields(Object... nameAndSchema) {
        List<Field> fields = new ArrayList<>();
        for (int i = 0; i < nameAndSchema.length; i += 2) {
            fields.add(new Field((String) nameAndSchema[i], i / 2, (Schema) nameAndSchema[i + 1]));
        }
        return fields;
    }

    private Map<String, ClickHouseType> wanted(List<Field> fields) {
        Map<String, ClickHouseType> wanted = new LinkedHashMap<>();
        fields.forEach(f -> wanted.put(f.name(), types.columnType(f.schema(), false)));
        return wanted;
    }

    private static final Map<String, String> EXISTING = Map.of("id", "Int32", "note", "Nullable(String)",
            "qty", "Nullable(Int32)");

    @Test
    void aNewColumnAtAGoneOnesPlaceWithItsTypeIsARename() {
        List<Field> before = fields("id", Schema.INT32_SCHEMA, "note", Schema.OPTIONAL_STRING_SCHEMA,
                "qty", Schema.OPTIONAL_INT32_SCHEMA);
        List<Field> after = fields("id", Schema.INT32_SCHEMA, "remark", Schema.OPTIONAL_STRING_SCHEMA,
                "qty", Schema.OPTIONAL_INT32_SCHEMA);
        assertThat(ColumnRenames.between(before, after, wanted(after), EXISTING, List.of("id")))
                .containsExactly(Map.entry("remark", "note"));
    }

    @Test
    void anotherTypeAnotherPlaceAKeyOrNoEarlierSchemaIsNoRename() {
        List<Field> before = fields("id", Schema.INT32_SCHEMA, "note", Schema.OPTIONAL_STRING_SCHEMA,
                "qty", Schema.OPTIONAL_INT32_SCHEMA);
        List<Field> otherType = fields("id", Schema.INT32_SCHEMA, "remark", Schema.OPTIONAL_INT64_SCHEMA,
                "qty", Schema.OPTIONAL_INT32_SCHEMA);
        List<Field> droppedAndAdded = fields("id", Schema.INT32_SCHEMA, "qty", Schema.OPTIONAL_INT32_SCHEMA,
                "remark", Schema.OPTIONAL_STRING_SCHEMA);
        List<Field> keyRenamed = fields("key", Schema.INT32_SCHEMA, "note", Schema.OPTIONAL_STRING_SCHEMA,
                "qty", Schema.OPTIONAL_INT32_SCHEMA);
        assertThat(ColumnRenames.between(before, otherType, wanted(otherType), EXISTING, List.of("id"))).isEmpty();
        assertThat(ColumnRenames.between(before, droppedAndAdded, wanted(droppedAndAdded), EXISTING, List.of("id")))
                .isEmpty();
        assertThat(ColumnRenames.between(before, keyRenamed, wanted(keyRenamed), EXISTING, List.of("key"))).isEmpty();
        assertThat(ColumnRenames.between(List.of(), before, wanted(before), EXISTING, List.of("id"))).isEmpty();
    }
}
