package io.cdcpipeline.core.position;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/**
 * Connect mode's form of the runner's start check: a Debezium Postgres source connector's stored position (its
 * entry in the offsets topic, {@code GET /connectors/{name}/offsets}) judged against its replication slot with
 * {@link PositionCheck}. A connector whose offsets were deleted, or that was recreated under a new name, while its
 * slot stayed, is flagged: {@code bin/cdc deploy --status} and the lag monitor show it.
 */
public final class ConnectSourcePosition {

    /** Debezium's Postgres connector class: the only source whose position this check understands. */
    public static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a connector's replication slot, given the connector's config as the worker stores it. */
    @FunctionalInterface
    public interface SlotReader {
        ReplicationSlot read(Map<String, String> connectorConfig, String slotName) throws SQLException;
    }

    /**
     * What the check found for one connector.
     *
     * @param connector the connector's name
     * @param slot      its {@code slot.name}
     * @param stored    its stored offset, or null when it has none
     * @param verdict   the check, or null when it could not be made
     * @param problem   why it could not be made, or null
     */
    public record Result(String connector, String slot, SourceOffset stored, PositionCheck.Verdict verdict,
            String problem) {

        /** True when the position was checked and is not safe to go on from. */
        public boolean flagged() {
            return verdict != null && !verdict.safe();
        }

        /** One line for people: the verdict's reason, or why there is none. */
        public String describe() {
            return verdict != null ? (verdict.safe() ? "" : "FLAGGED " + verdict.kind() + ": ") + verdict.reason()
                    : "not checked: " + problem;
        }
    }

    private ConnectSourcePosition() {
    }

    /** Whether a connector config is Debezium's Postgres source, whose position can be checked. */
    public static boolean isPostgresSource(Map<String, String> config) {
        return config != null && POSTGRES_CONNECTOR.equals(config.get("connector.class"));
    }

    /**
     * Checks one connector: its config and offsets from the worker at {@code connectUrl}, its slot through
     * {@code slots}. Failures to reach either are reported in the result, not thrown; null when the connector is
     * not Debezium's Postgres source.
     */
    public static Result check(HttpClient http, URI connectUrl, String connector, SlotReader slots) {
        Map<String, String> config;
        try {
            config = JSON.convertValue(get(http, connectUrl, connector, "config"), JSON.getTypeFactory()
                    .constructMapType(Map.class, String.class, String.class));
        } catch (IOException e) {
            return new Result(connector, null, null, null, "cannot read its config from Connect: " + e.getMessage());
        }
        if (!isPostgresSource(config)) {
            return null;
        }
        String slotName = SourceDatabase.slotName(config);
        SourceOffset stored;
        try {
            stored = storedOffset(get(http, connectUrl, connector, "offsets"));
        } catch (IOException e) {
            return new Result(connector, slotName, null, null, "cannot read its offsets from Connect: " + e.getMessage());
        }
        ReplicationSlot slot;
        try {
            slot = slots.read(config, slotName);
        } catch (SQLException | RuntimeException e) {
            return new Result(connector, slotName, stored, null, "cannot read replication slot '" + slotName + "': "
                    + e.getMessage());
        }
        return new Result(connector, slotName, stored, PositionCheck.check(stored, false, slot), null);
    }

    /** The offset of the answer of {@code GET /connectors/{name}/offsets} (one partition for Postgres), or null. */
    static SourceOffset storedOffset(JsonNode answer) {
        for (JsonNode entry : answer.path("offsets")) {
            JsonNode offset = entry.path("offset");
            if (offset.isObject()) {
                return SourceOffset.of(JSON.convertValue(offset, JSON.getTypeFactory().constructMapType(Map.class,
                        String.class, Object.class)));
            }
        }
        return null;
    }

    private static JsonNode get(HttpClient http, URI connectUrl, String connector, String what) throws IOException {
        URI uri = connectUrl.resolve("/connectors/" + URLEncoder.encode(connector, StandardCharsets.UTF_8)
                .replace("+", "%20") + "/" + what);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException(uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + uri, e);
        }
    }
}
