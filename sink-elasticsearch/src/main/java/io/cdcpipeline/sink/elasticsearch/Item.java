package io.cdcpipeline.sink.elasticsearch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One item of a {@code _bulk} answer: what became of one action. Read with a streaming parser, since a sink reads
 * thousands of them per second and needs only these few fields.
 */
record Item(int status, String index, String errorType, String errorReason) {

    static List<Item> read(InputStream answer) throws IOException {
        List<Item> items = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(answer)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a _bulk answer that is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if ("items".equals(field)) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        parser.nextToken(); // the action name: index or delete
                        parser.nextToken(); // its object
                        items.add(readResult(parser));
                        parser.nextToken(); // end of the item
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
        return items;
    }

    private static Item readResult(JsonParser parser) throws IOException {
        int status = 0;
        String index = null;
        String type = null;
        String reason = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "status" -> status = parser.getIntValue();
                case "_index" -> index = parser.getText();
                case "error" -> {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String errorField = parser.currentName();
                        parser.nextToken();
                        if ("type".equals(errorField)) {
                            type = parser.getText();
                        } else if ("reason".equals(errorField)) {
                            reason = parser.getText();
                        } else {
                            parser.skipChildren();
                        }
                    }
                }
                default -> parser.skipChildren();
            }
        }
        return new Item(status, index, type, reason);
    }
}
