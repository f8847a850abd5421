package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.core.types.LogicalValues;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * The document id of a row, from its primary key. A single-column key is its value as text; a composite key is the
 * JSON array of its values ({@code [100,1]}), so that two different keys can never make the same id.
 */
final class DocumentId {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DocumentId() {
    }

    static String of(Struct key) {
        List<Field> fields = key.schema().fields();
        if (fields.size() == 1) {
            Object value = DocumentValues.toJson(LogicalValues.toJava(fields.get(0).schema(), key.get(fields.get(0))));
            return String.valueOf(value);
        }
        List<Object> values = new ArrayList<>();
        for (Field field : fields) {
            values.add(DocumentValues.toJson(LogicalValues.toJava(field.schema(), key.get(field))));
        }
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new DataException("cannot make a document id from key " + key, e);
        }
    }
}
