package io.cdcpipeline.transforms;

import io.cdcpipeline.core.ConfigValidators;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.capture.NewTables;
import io.cdcpipeline.core.position.SourceDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SimpleConfig;

/**
 * Captures tables created while Debezium's Postgres connector runs, on a Kafka Connect cluster (the embedded runner
 * does the same by itself, with the same code: {@link NewTables}). Debezium fills a {@code filtered} publication only
 * when it starts, so a new table matching {@code table.include.list} would never stream. Put on the Debezium source
 * connector, this transform checks the source every {@value #CHECK_INTERVAL} ms, adds each new captured table to the
 * publication, and once the table's first change has passed through it asks for an incremental snapshot of the table
 * through the signal table, so the rows written before it was published arrive too. Records pass unchanged.
 * <p>
 * Its settings carry Debezium's own names, with the values of the connector's config: the same include and exclude
 * lists, publication, signal table and database (its user may alter the publication and insert into the signal
 * table, as Debezium's own user does).
 */
public class CaptureNewTables<R extends ConnectRecord<R>> implements Transformation<R> {

    public static final String CHECK_INTERVAL = "check.interval.ms";
    public static final String OVERVIEW_DOC = "On Debezium's Postgres connector: adds tables created while it runs "
            + "that its include list captures to the publication, and snapshots their earlier rows.";
    private static final String FROM_CONNECTOR = " (the same value as the Debezium connector's setting)";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define("database.hostname", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Host of the source Postgres" + FROM_CONNECTOR + ".")
            .define("database.port", Type.INT, 5432, ConfigDef.Range.between(1, 65535), Importance.MEDIUM,
                    "Port of the source Postgres" + FROM_CONNECTOR + ".")
            .define("database.dbname", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "The source database" + FROM_CONNECTOR + ".")
            .define("database.user", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "A user that may alter the publication (owner of the tables, or Debezium's "
                            + "own user) and insert into the signal table.")
            .define("database.password", Type.PASSWORD, "", Importance.HIGH, "Its password" + FROM_CONNECTOR + ".")
            .define("database.sslmode", Type.STRING, "", ConfigDef.ValidString.in("", "disable", "allow", "prefer",
                    "require", "verify-ca", "verify-full"), Importance.LOW, "sslmode of the connection" + FROM_CONNECTOR
                    + "; empty: the driver's default.")
            .define("publication.name", Type.STRING, "dbz_publication", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "The publication Debezium reads" + FROM_CONNECTOR + ".")
            .define("table.include.list", Type.STRING, "", ConfigValidators.regexList(), Importance.HIGH, "Regular expressions of the captured "
                    + "tables" + FROM_CONNECTOR + "; empty: every table outside Postgres's own schemas.")
            .define("table.exclude.list", Type.STRING, "", ConfigValidators.regexList(), Importance.MEDIUM, "Regular expressions of the tables "
                    + "left out" + FROM_CONNECTOR + ".")
            .define("signal.data.collection", Type.STRING, "", ConfigValidators.schemaTable(), Importance.HIGH, "Debezium's signal table"
                    + FROM_CONNECTOR + ", through which a new table's earlier rows are snapshotted; empty: new tables "
                    + "stream from when they are published, their earlier rows are not copied (logged).")
            .define(CHECK_INTERVAL, Type.LONG, 10_000L, ConfigDef.Range.atLeast(100), Importance.MEDIUM,
                    "How often the source is checked for new tables, in ms.");

    private NewTables newTables;
    private ScheduledExecutorService timer;

    @Override
    public void configure(Map<String, ?> props) {
        SimpleConfig config = new SimpleConfig(CONFIG_DEF, props);
        Map<String, String> source = new HashMap<>();
        for (String name : CONFIG_DEF.names()) {
            Object value = config.values().get(name);
            if (value instanceof Password password) {
                source.put(name, password.value());
            } else if (value != null && !value.toString().isEmpty()) {
                source.put(name, value.toString());
            }
        }
        try (Connection db = SourceDatabase.connect(source)) {
            newTables = NewTables.start(db, source);
        } catch (SQLException e) {
            throw new ConfigException("CaptureNewTables cannot read the source database " + SourceDatabase.url(source)
                    + " as " + source.get("database.user") + ": " + e.getMessage());
        }
        long every = config.getLong(CHECK_INTERVAL);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cdc-capture-new-tables");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(newTables::check, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public R apply(R record) {
        if (newTables.awaitingChanges()) {
            ChangeShape shape = ChangeShape.of(record.value());
            TableId table = shape.isChange() ? shape.table(record) : null;
            if (table != null) {
                newTables.changed(table);
            }
        }
        return record;
    }

    @Override
    public ConfigDef config() {
        return CONFIG_DEF;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
