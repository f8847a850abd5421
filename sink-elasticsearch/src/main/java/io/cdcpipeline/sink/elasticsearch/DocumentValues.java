package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cdcpipeline.core.types.ListValues;
import io.cdcpipeline.core.types.LogicalValues;
import io.cdcpipeline.core.types.SpatialValue;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * The JSON document of a row: dates and times as ISO-8601 text, decimals as exact text (a JSON number would be
 * read as a double and lose digits), bytes as base64.
 */
final class DocumentValues {

    private DocumentValues() {
    }

    static Map<String, Object> document(Iterable<Field> columns, Struct row) {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (Field field : columns) {
            doc.put(field.name(), value(field.schema(), row.getWithoutDefault(field.name())));
        }
        return doc;
    }

    /** The JSON value of one column; json columns become the objects they hold. */
    static Object value(Schema schema, Object connectValue) {
        return toJson(parsedJson(schema, LogicalValues.toJava(schema, connectValue)));
    }

    /** A json column's text (or a json array's texts) read into the tree it holds; any other value unchanged. */
    static Object parsedJson(Schema schema, Object javaValue) {
        if (javaValue instanceof String text && FieldMappings.JSON.equals(schema.name())) {
            try {
                return Json.MAPPER.readValue(text, Object.class);
            } catch (JsonProcessingException e) {
                throw new DataException("json column holds invalid JSON: "
                        + e.getOriginalMessage(), e);
            }
        }
        if (javaValue instanceof List<?> items && schema.type() == Schema.Type.ARRAY
                && FieldMappings.JSON.equals(schema.valueSchema().name())) {
            return ListValues.mapped(items, item -> parsedJson(schema.valueSchema(), item));
        }
        return javaValue;
    }

    static Object toJson(Object value) {
        if (value instanceof BigDecimal decimal) {
            return decimal.toPlainString();
        }
        // ISO formatters rather than toString(), which leaves out zero seconds ("03:04" for 03:04:00).
        if (value instanceof LocalDateTime dateTime) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(dateTime);
        }
        if (value instanceof LocalTime time) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(time);
        }
        if (value instanceof TemporalAccessor temporal) {
            return temporal.toString(); // LocalDate, Instant: always complete
        }
        if (value instanceof SpatialValue spatial) {
            return spatial.wkt(); // geo_shape and geo_point read WKT
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof Struct struct) {
            return document(struct.schema().fields(), struct);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                out.add(toJson(item));
            }
            return out;
        }
        return value;
    }
}
