package io.cdcpipeline.core.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdcpipeline.core.ChangeEvent;
import io.cdcpipeline.core.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * A row of Debezium's signal table as it streams by (the table has exactly the columns {@code id}, {@code type},
 * {@code data}): the sinks read it to learn that a snapshot restricted by {@code additional-conditions} is coming.
 * Such a snapshot re-sends only some rows of its tables: a blocking one must not sweep them at its completion, and an
 * incremental one (a repair, {@code bin/cdc snapshot --where}) gives no reason to check the whole table.
 */
final class SnapshotSignal {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotSignal() {
    }

    /** An {@code execute-snapshot} signal restricted by additional conditions: its kind and data collections. */
    record Filtered(boolean blocking, List<Pattern> collections) {
    }

    /** The restriction an {@code execute-snapshot} signal row with additional conditions carries; else null. */
    static Filtered filtered(ChangeEvent event) {
        if (event.operation() != Operation.CREATE || event.after() == null) {
            return null;
        }
        Struct row = event.after();
        List<Field> fields = row.schema().fields();
        if (fields.size() != 3 || row.schema().field("type") == null || row.schema().field("data") == null
                || row.schema().field("id") == null || !"execute-snapshot".equals(row.get("type"))
                || !(row.get("data") instanceof String data)) {
            return null;
        }
        try {
            JsonNode payload = JSON.readTree(data);
            JsonNode conditions = payload.path("additional-conditions");
            boolean filtered = (conditions.isArray() && !conditions.isEmpty())
                    || !payload.path("additional-condition").asText("").isBlank();
            if (!filtered) {
                return null;
            }
            List<Pattern> collections = new ArrayList<>();
            for (JsonNode collection : payload.path("data-collections")) {
                collections.add(Pattern.compile(collection.asText(), Pattern.CASE_INSENSITIVE));
            }
            return new Filtered("blocking".equalsIgnoreCase(payload.path("type").asText("")), collections);
        } catch (PatternSyntaxException | JsonProcessingException e) {
            return null; // Debezium refuses such a signal too
        }
    }
}
