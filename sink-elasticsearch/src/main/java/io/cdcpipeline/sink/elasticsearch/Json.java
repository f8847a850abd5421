package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/** JSON objects given in the config (index settings, mapping overrides), read once. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** The object {@code text} holds, or an empty map for empty text; a ConfigException names the key otherwise. */
    static Map<String, Object> objectOrEmpty(String key, String text) {
        if (text == null || text.isBlank()) {
            return new LinkedHashMap<>();
        }
        try {
            return MAPPER.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new ConfigException(key, text, "is not a JSON object: " + e.getOriginalMessage());
        }
    }
}
