package io.cdcpipeline.lag.probe;

import io.cdcpipeline.core.position.ConnectSourcePosition;
import io.cdcpipeline.core.position.ReplicationSlot;
import io.cdcpipeline.lag.config.MonitorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Connect mode: the stored position (offsets topic) of each Debezium Postgres source connector that reads the
 * monitor's slot ({@code postgres.slot}), against that slot, read through the monitor's own Postgres connection. A
 * connector whose offsets were deleted, or that was recreated under a new name, while its slot stayed is flagged.
 */
public final class SourcePositionProbe {

    private final URI connect;
    private final HttpClient http;
    private final MonitorConfig.Postgres postgres;

    public SourcePositionProbe(URI connect, HttpClient http, MonitorConfig.Postgres postgres) {
        this.connect = connect;
        this.http = http;
        this.postgres = postgres;
    }

    /** One result per Postgres source connector among {@code connectors}. */
    public List<ConnectSourcePosition.Result> read(List<ConnectProbe.ConnectorState> connectors) {
        List<ConnectSourcePosition.Result> results = new ArrayList<>();
        for (ConnectProbe.ConnectorState connector : connectors) {
            if (!"source".equals(connector.type())) {
                continue;
            }
            ConnectSourcePosition.Result result = ConnectSourcePosition.check(http, connect, connector.name(),
                    (config, slot) -> {
                        try (Connection db = DriverManager.getConnection(postgres.url(), postgres.user(),
                                postgres.password())) {
                            return ReplicationSlot.read(db, slot);
                        }
                    });
            // Only the source that reads the monitor's own slot: another connector's slot may live on another server.
            if (result != null && postgres.slot().equals(result.slot())) {
                results.add(result);
            }
        }
        return results;
    }
}
