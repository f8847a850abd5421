package io.cdcpipeline.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cdcpipeline.core.TableId;
import io.cdcpipeline.core.consistency.CatchUp;
import io.cdcpipeline.core.consistency.CopyCheck;
import io.cdcpipeline.core.consistency.SinkCopy;
import io.cdcpipeline.core.consistency.SourceKeys;
import io.cdcpipeline.core.position.SourceDatabase;
import io.cdcpipeline.core.snapshot.SignalTable;
import io.cdcpipeline.sink.clickhouse.ClickHouseCopy;
import io.cdcpipeline.sink.clickhouse.ClickHouseSinkConnector;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchCopy;
import io.cdcpipeline.sink.elasticsearch.ElasticsearchSinkConnector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/cdc validate --config FILE}: checks that each sink's copy of each captured table has exactly the keys
 * Postgres has, while the pipeline runs, and with {@code --repair} puts it right: rows the copy lacks are sent again
 * by an incremental snapshot restricted to their keys (the signal table), rows Postgres no longer has are removed
 * through the sink's versioned delete. Exit code 0 when every checked copy equals Postgres, 1 on drift, 2 on error.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check (and with --repair fix) that each sink's copy of each table has exactly Postgres's keys.")
public final class ValidateMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ValidateMain.class);

    @Option(names = "--config", description = "The pipeline file (as for bin/cdc run).")
    Path config;

    @Option(names = "--connect-configs", description = "A Connect deployment instead: the folder (or file) of its "
            + "connector JSON files, e.g. connect-configs/connect; ${env:} and ${file:} are resolved here.")
    Path connectConfigs;

    @Option(names = "--table", description = "A source table as schema.table (repeatable); default: every captured table.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--sink", description = "A sink's name in the file (repeatable); default: every sink.")
    List<String> sinks = new ArrayList<>();

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Option(names = "--repair", description = "Re-send missing rows and remove extra ones, then check again.")
    boolean repair;

    @Option(names = "--sample", defaultValue = "10", description = "Keys of each kind to print per table and sink.")
    int sample;

    @Option(names = "--settle-seconds", defaultValue = "5",
            description = "Wait before each re-check of the keys found different (rows in flight settle meanwhile).")
    long settleSeconds;

    @Option(names = "--rounds", defaultValue = "2", description = "Re-check rounds a key must stay different in (>= 1).")
    int rounds;

    @Option(names = "--keep", defaultValue = "100000",
            description = "Keys of each kind kept for re-checks and repair per table and sink (totals stay exact).")
    int keep;

    @Option(names = "--light", defaultValue = "0", description = "A light check instead of a full one: counts, and this "
            + "many keys picked at random on each side compared by value (0: every row).")
    int light;

    @Option(names = "--kafka-bootstrap", defaultValue = "${env:CDC_KAFKA_BOOTSTRAP}", description = "With "
            + "--connect-configs: Kafka's bootstrap servers, to count the records in the sinks' dead-letter topics "
            + "(default: $CDC_KAFKA_BOOTSTRAP; none: not counted).")
    String kafkaBootstrap;

    @Option(names = "--repair-timeout-seconds", defaultValue = "300",
            description = "How long --repair waits for re-sent rows to arrive.")
    long repairTimeoutSeconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ValidateMain()).execute(args));
    }

    @Override
    public Integer call() {
        try {
            if (rounds < 1) {
                throw new ConfigException("--rounds", rounds, "must be at least 1");
            }
            if (light < 0) {
                throw new ConfigException("--light", light, "must be 0 (a full check) or a number of keys");
            }
            if ((config == null) == (connectConfigs == null)) {
                throw new ConfigException("give either --config FILE (a pipeline file) or --connect-configs DIR");
            }
            PipelineFile file = config != null ? PipelineFile.load(config)
                    : ConnectConfigs.load(connectConfigs, System.getenv());
            validationRunner = file.runner();
            validationSinks = file.sinks();
            try (Validation validation = new Validation(file, sinks, options(), kafkaBootstrap)) {
                List<CopyCheck.Result> before = validation.check(tables);
                deadLetters = connectConfigs == null ? validation.deadLetters()
                        : validation.deadLetterTopics(kafkaBootstrap);
                print(before, repair ? "before repair" : null);
                if (!repair || before.stream().noneMatch(CopyCheck.Result::drifted)) {
                    return exitCode(before);
                }
                // With --json, stdout holds only the two JSON documents; what the repair did goes to stderr.
                validation.repair(before, Duration.ofSeconds(repairTimeoutSeconds), json ? System.err : System.out);
                List<CopyCheck.Result> after = validation.check(tables);
                print(after, "after repair");
                return exitCode(after);
            }
        } catch (ConfigException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            LOG.error("validate failed", e);
            System.err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 2;
        }
    }

    private CopyCheck.Options options() throws IOException {
        Path work = Files.createTempDirectory("cdc-validate-");
        work.toFile().deleteOnExit();
        return new CopyCheck.Options(keep, Duration.ofSeconds(settleSeconds), rounds, work, light);
    }

    private static int exitCode(List<CopyCheck.Result> results) {
        return results.stream().anyMatch(CopyCheck.Result::drifted) ? 1 : 0;
    }

    private String deadLetterTopic(String sink) {
        return validationSinks.getOrDefault(sink, Map.of()).get(DEAD_LETTER_TOPIC);
    }

    /**
     * Per sink, records in its dead letters per source table: the runner's dead-letter file, or a Connect sink's
     * dead-letter topic (a sink missing here: not counted).
     */
    private Map<String, Map<String, Long>> deadLetters = Map.of();
    private RunnerConfig validationRunner;
    private Map<String, Map<String, String>> validationSinks = Map.of();
    static final String DEAD_LETTER_TOPIC = "errors.deadletterqueue.topic.name";

    private long deadLettersOf(CopyCheck.Result r) {
        return deadLetters.getOrDefault(r.sink(), Map.of()).getOrDefault(r.table().toString(), 0L);
    }

    private void print(List<CopyCheck.Result> results, String title) throws Exception {
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Map<String, Object> out = new LinkedHashMap<>();
            if (title != null) {
                out.put("phase", title);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (CopyCheck.Result r : results) {
                Map<String, Object> row = ValidationReport.toJson(r, sample);
                row.put("dead_letters", deadLetters.containsKey(r.sink()) ? deadLettersOf(r) : null);
                rows.add(row);
            }
            out.put("results", rows);
            System.out.println(mapper.writeValueAsString(out));
            return;
        }
        if (title != null) {
            System.out.println("== " + title);
        }
        for (CopyCheck.Result r : results) {
            System.out.print(ValidationReport.text(r, sample));
            if (deadLettersOf(r) > 0) {
                Object where = connectConfigs == null ? DeadLetterFile.path(validationRunner, r.sink())
                        : "topic " + deadLetterTopic(r.sink());
                System.out.println("  dead letters: " + deadLettersOf(r) + " records of this table in " + where
                        + " (their rows are compared above)");
            }
        }
    }

    /** The checks and the repair, over the pipeline file's source and sinks; holds a connection to each sink. */
    static final class Validation implements AutoCloseable {
        private final PipelineFile file;
        private final Map<String, Map<String, String>> sinks = new LinkedHashMap<>();
        private final Map<String, SinkCopy> copies = new LinkedHashMap<>();
        /** How long a re-check waits for the runner's position to pass Postgres's before settling by time. */
        private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
        /** How long a wait for re-sent rows goes on without any arriving before the rest count as hidden. */
        private static final Duration STALL = Duration.ofSeconds(20);
        /** Per result, the missing keys not yet seen arriving. */
        private final Map<CopyCheck.Result, List<List<String>>> pending = new LinkedHashMap<>();
        private final CopyCheck.Options options;

        Validation(PipelineFile file, List<String> sinkNames, CopyCheck.Options options) {
            this(file, sinkNames, options, System.getenv("CDC_KAFKA_BOOTSTRAP"));
        }

        /** @param kafkaBootstrap a Connect deployment's Kafka (re-checks wait through it), or null */
        Validation(PipelineFile file, List<String> sinkNames, CopyCheck.Options options, String kafkaBootstrap) {
            this.file = file;
            for (Map.Entry<String, Map<String, String>> sink : file.sinks().entrySet()) {
                if (sinkNames.isEmpty() || sinkNames.contains(sink.getKey())) {
                    sinks.put(sink.getKey(), sink.getValue());
                }
            }
            for (String name : sinkNames) {
                if (!file.sinks().containsKey(name)) {
                    throw new ConfigException("--sink", name, "names no sink of the pipeline file; its sinks are "
                            + file.sinks().keySet());
                }
            }
            this.options = options == null ? null : options.waitingFor(catchUp(file, sinks, kafkaBootstrap));
        }

        /**
         * Per Connect sink with a dead-letter topic, the records it holds per source table (none counted without
         * {@code bootstrap}: the sinks are left out, and a warning says so).
         */
        Map<String, Map<String, Long>> deadLetterTopics(String bootstrap) {
            Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, String>> sink : sinks.entrySet()) {
                String topic = sink.getValue().get(DEAD_LETTER_TOPIC);
                if (topic == null || topic.isBlank()) {
                    continue;
                }
                if (bootstrap == null || bootstrap.isBlank()) {
                    LOG.warn("The records in {}'s dead-letter topic {} are not counted: give --kafka-bootstrap",
                            sink.getKey(), topic);
                    continue;
                }
                try {
                    counts.put(sink.getKey(), DeadLetterTopic.countsByTable(bootstrap, topic,
                            file.source().get("topic.prefix"), Duration.ofSeconds(20)));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("cannot count the records in " + sink.getKey()
                            + "'s dead-letter topic " + topic + " at " + bootstrap + " (--kafka-bootstrap; '' skips "
                            + "counting): " + e.getMessage(), e);
                }
            }
            return counts;
        }

        /** Per sink, the records its dead-letter file holds per source table. */
        Map<String, Map<String, Long>> deadLetters() throws IOException {
            Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
            for (String sink : sinks.keySet()) {
                counts.put(sink, DeadLetterFile.countsByTable(DeadLetterFile.path(file.runner(), sink)));
            }
            return counts;
        }

        List<CopyCheck.Result> check(List<String> tableNames) throws Exception {
            List<CopyCheck.Result> results = new ArrayList<>();
            try (Connection db = SourceDatabase.connect(file.source())) {
                SourceKeys source = new SourceKeys(db);
                List<TableId> tables = tables(db, tableNames);
                List<TableId> captured = tableNames.isEmpty() || file.source().getOrDefault("table.include.list", "")
                        .isBlank() ? tables : tables(db, List.of());
                for (String sink : sinks.keySet()) {
                    TransformEffects transforms = TransformEffects.of(file, sink);
                    for (TableId table : tables) {
                        LOG.info("Checking {} in sink {}", table, sink);
                        TransformEffects.Effect effect = transforms.on(table,
                                new ArrayList<>(source.columnTypes(table).keySet()), captured);
                        try {
                            results.add(effect.notChecked() != null
                                    ? CopyCheck.notChecked(sink, table, copy(sink).targetOf(effect.copyTable()),
                                            effect.notChecked())
                                    : CopyCheck.run(sink, table, effect.copyTable(), source, copy(sink), options,
                                            effect.skippedColumns()));
                        } catch (RuntimeException e) {
                            throw new IllegalStateException("sink " + sink + ", table " + table + ": "
                                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
                        }
                    }
                    if (tableNames.isEmpty()) {
                        for (TableId gone : namedButAbsent(db)) {
                            String target = copy(sink).targetOf(gone);
                            results.add(CopyCheck.sourceMissing(sink, gone, target,
                                    target == null ? 0 : copy(sink).liveCount(target)));
                        }
                    }
                }
            }
            return results;
        }

        /**
         * What re-checks wait for, every sink complete up to the moment a round starts: the embedded runner's
         * position file passing Postgres's position, or a Connect deployment's sink groups committing past a mark.
         */
        private static CatchUp catchUp(PipelineFile file, Map<String, Map<String, String>> checked,
                String kafkaBootstrap) {
            Path positionFile = file.runner().offsetFile();
            // The position moves past "now" only with a captured change after it: the mark, in the signal table
            // (Debezium's heartbeats do not move it while the captured tables are idle).
            boolean moves = !file.source().getOrDefault("signal.data.collection", "").isBlank();
            if (positionFile != null && Files.exists(positionFile)) {
                return moves ? new PositionCatchUp(file.source(), positionFile, file.runner().name(), CATCH_UP_TIMEOUT)
                        : CatchUp.NONE;
            }
            boolean connect = checked.values().stream().anyMatch(s -> s.containsKey("topics")
                    || s.containsKey("topics.regex"));
            return connect ? new ConnectCatchUp(file.source(), checked, kafkaBootstrap, CATCH_UP_TIMEOUT)
                    : CatchUp.NONE;
        }

        /** Per table (missing ones left out), its columns and their types as Postgres has them now. */
        Map<TableId, Map<String, String>> columns(List<String> tableNames) throws Exception {
            Map<TableId, Map<String, String>> columns = new LinkedHashMap<>();
            try (Connection db = SourceDatabase.connect(file.source())) {
                SourceKeys source = new SourceKeys(db);
                for (TableId table : tables(db, tableNames)) {
                    try {
                        columns.put(table, source.columnTypes(table));
                    } catch (SQLException e) {
                        LOG.debug("No columns of {}: {}", table, e.getMessage());
                    }
                }
            }
            return columns;
        }

        /**
         * Removes the extra rows (versioned deletes); rows with other values are streamed again by a no-op update in
         * Postgres (a snapshot read could not replace them); the missing ones are asked for again by an incremental
         * snapshot of their keys (once per table for all sinks), and those that do not arrive (hidden behind a newer
         * delete marker) are streamed again by a no-op update too.
         */
        void repair(List<CopyCheck.Result> results, Duration timeout, PrintStream out) throws Exception {
            Map<TableId, Set<List<String>>> differing = new LinkedHashMap<>();
            for (CopyCheck.Result r : results) {
                for (CopyCheck.Difference d : r.differing()) {
                    differing.computeIfAbsent(r.table(), t -> new LinkedHashSet<>()).add(d.key());
                }
            }
            resend(differing, results, "with other values", out);
            Map<TableId, Set<List<String>>> missing = new LinkedHashMap<>();
            Map<TableId, CopyCheck.Result> anyResult = new LinkedHashMap<>();
            for (CopyCheck.Result r : results) {
                if (!r.drifted() || r.key() == null) {
                    continue;
                }
                if (!r.extra().isEmpty()) {
                    long removed = copy(r.sink()).removeAt(r.target(), r.key(), r.extra());
                    out.println("repair: " + r.table() + " in " + r.sink() + ": " + removed + " of "
                            + r.extra().size() + " extra rows removed");
                }
                if (!r.missing().isEmpty()) {
                    missing.computeIfAbsent(r.table(), t -> new LinkedHashSet<>()).addAll(r.missing());
                    anyResult.putIfAbsent(r.table(), r);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            SignalTable signals = SignalTables.of(file.source(), "--repair of missing rows");
            try (Connection db = SourceDatabase.connect(file.source())) {
                for (Map.Entry<TableId, Set<List<String>>> table : missing.entrySet()) {
                    List<String> filters = KeyFilters.of(anyResult.get(table.getKey()).key(),
                            new ArrayList<>(table.getValue()), SignalTable.DATA_LIMIT - 300);
                    for (String filter : filters) {
                        signals.executeSnapshot(db, table.getKey(), filter, "repair");
                    }
                    out.println("repair: " + table.getKey() + ": " + table.getValue().size() + " missing rows asked "
                            + "for again (" + filters.size() + " incremental snapshot signals in " + signals.name() + ")");
                }
                Map<TableId, Set<List<String>>> hidden = awaitArrival(results, db, timeout, out);
                resend(hidden, results, "still missing", out);
                awaitArrival(results, db, timeout, out);
            }
        }

        /** Streams the rows of these keys again by a no-op update in Postgres. */
        private void resend(Map<TableId, Set<List<String>>> keys, List<CopyCheck.Result> results, String why,
                PrintStream out) throws SQLException {
            if (keys.isEmpty()) {
                return;
            }
            try (Connection db = SourceDatabase.connect(file.source())) {
                SourceKeys source = new SourceKeys(db);
                for (Map.Entry<TableId, Set<List<String>>> table : keys.entrySet()) {
                    CopyCheck.Result any = results.stream().filter(r -> r.table().equals(table.getKey())
                            && r.key() != null).findFirst().orElseThrow();
                    List<List<String>> all = new ArrayList<>(table.getValue());
                    int updated = 0;
                    for (int from = 0; from < all.size(); from += 1_000) {
                        updated += source.resend(table.getKey(), any.key(), all.subList(from,
                                Math.min(all.size(), from + 1_000)));
                    }
                    out.println("repair: " + table.getKey() + ": " + updated + " rows " + why + " streamed again "
                            + "(a no-op UPDATE in Postgres gives them a new version)");
                }
            }
        }

        /**
         * Waits until every missing row asked for has arrived in its copy (or was deleted meanwhile), or the timeout;
         * returns the keys that did not arrive, per table, and forgets them as missing for the next wait.
         */
        private Map<TableId, Set<List<String>>> awaitArrival(List<CopyCheck.Result> results, Connection db,
                Duration timeout, PrintStream out) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            SourceKeys source = new SourceKeys(db);
            for (CopyCheck.Result r : results) {
                if (!r.missing().isEmpty() && !pending.containsKey(r)) {
                    pending.put(r, r.missing());
                }
            }
            Map<CopyCheck.Result, List<List<String>>> waiting = new LinkedHashMap<>(pending);
            waiting.values().removeIf(List::isEmpty);
            long lastArrival = System.nanoTime();
            while (waiting.values().stream().anyMatch(keys -> !keys.isEmpty()) && System.nanoTime() < deadline
                    && System.nanoTime() - lastArrival < STALL.toNanos()) {
                Thread.sleep(1_000);
                for (Map.Entry<CopyCheck.Result, List<List<String>>> entry : waiting.entrySet()) {
                    List<List<String>> now = missingNow(entry.getKey(), source, copy(entry.getKey().sink()),
                            entry.getValue());
                    if (now.size() < entry.getValue().size()) {
                        lastArrival = System.nanoTime();
                    }
                    entry.setValue(now);
                }
            }
            Map<TableId, Set<List<String>>> notArrived = new LinkedHashMap<>();
            for (Map.Entry<CopyCheck.Result, List<List<String>>> entry : waiting.entrySet()) {
                CopyCheck.Result r = entry.getKey();
                int asked = pending.get(r).size();
                int still = entry.getValue().size();
                out.println("repair: " + r.table() + " in " + r.sink() + ": " + (asked - still) + " of " + asked
                        + " missing rows arrived" + (still == 0 ? "" : "; " + still + " did not (a copy holding a "
                        + "newer delete marker keeps a snapshot read out)"));
                if (still > 0) {
                    notArrived.computeIfAbsent(r.table(), t -> new LinkedHashSet<>()).addAll(entry.getValue());
                }
                pending.put(r, entry.getValue());
            }
            return notArrived;
        }

        private static List<List<String>> missingNow(CopyCheck.Result r, SourceKeys source, SinkCopy copy,
                List<List<String>> keys) throws SQLException {
            Set<List<String>> live = new HashSet<>();
            for (int from = 0; from < keys.size(); from += 1_000) {
                copy.liveRows(r.target(), r.key(), keys.subList(from, Math.min(keys.size(), from + 1_000)))
                        .forEach(row -> live.add(row.key()));
            }
            List<List<String>> candidates = new ArrayList<>();
            for (List<String> k : keys) {
                if (!live.contains(k)) {
                    candidates.add(k);
                }
            }
            // A key deleted in Postgres meanwhile is no longer missing.
            Set<List<String>> inSource = new HashSet<>();
            for (int from = 0; from < candidates.size(); from += 1_000) {
                inSource.addAll(source.existing(r.table(),
                        r.key(), candidates.subList(from, Math.min(candidates.size(), from + 1_000))));
            }
            candidates.removeIf(k -> !inSource.contains(k));
            return candidates;
        }

        private SinkCopy copy(String sink) {
            return copies.computeIfAbsent(sink, name -> open(name, sinks.get(name)));
        }

        @Override
        public void close() {
            copies.values().forEach(SinkCopy::close);
            copies.clear();
        }

        private static SinkCopy open(String name, Map<String, String> config) {
            String connector = config.get("connector.class");
            if (ClickHouseSinkConnector.class.getName().equals(connector)) {
                return ClickHouseCopy.open(config);
            }
            if (ElasticsearchSinkConnector.class.getName().equals(connector)) {
                return ElasticsearchCopy.open(config);
            }
            throw new ConfigException("sink." + name + ".connector.class", connector, "is not one of the sinks "
                    + "validate can read (ClickHouse, Elasticsearch)");
        }

        /**
         * The tables the include list names literally ({@code schema.table}, no pattern) that Postgres does not have:
         * dropped or renamed while captured, so their copies match no source table any more.
         */
        private List<TableId> namedButAbsent(Connection db) throws SQLException {
            List<TableId> absent = new ArrayList<>();
            for (String entry : file.source().getOrDefault("table.include.list", "").split(",")) {
                String name = entry.trim();
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*")) {
                    continue; // a pattern: what it matches now is all it says
                }
                try (PreparedStatement st = db.prepareStatement("SELECT to_regclass(?)")) {
                    st.setString(1, name);
                    try (ResultSet rs = st.executeQuery()) {
                        if (rs.next() && rs.getString(1) == null) {
                            absent.add(new TableId(name.substring(0, name.indexOf('.')),
                                    name.substring(name.indexOf('.') + 1)));
                        }
                    }
                }
            }
            return absent;
        }

        /** The tables named, or every table the source's table.include.list matches (its entries are regexes). */
        private List<TableId> tables(Connection db, List<String> names) throws SQLException {
            List<TableId> tables = new ArrayList<>();
            if (!names.isEmpty()) {
                for (String name : names) {
                    int dot = name.indexOf('.');
                    if (dot <= 0 || dot == name.length() - 1) {
                        throw new ConfigException("--table", name, "must be schema.table");
                    }
                    tables.add(new TableId(name.substring(0, dot), name.substring(dot + 1)));
                }
                return tables;
            }
            String include = file.source().getOrDefault("table.include.list", "");
            if (include.isBlank()) {
                throw new ConfigException(PipelineFile.SOURCE_PREFIX + "table.include.list", include,
                        "is empty: name the tables to check with --table");
            }
            Set<TableId> found = new LinkedHashSet<>();
            try (PreparedStatement st = db.prepareStatement("SELECT n.nspname, c.relname FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                    + "AND (n.nspname || '.' || c.relname) ~ ('^(' || ? || ')$') ORDER BY 1, 2")) {
                for (String entry : include.split(",")) {
                    st.setString(1, entry.trim());
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            found.add(new TableId(rs.getString(1), rs.getString(2)));
                        }
                    }
                }
            }
            String signals = file.source().get("signal.data.collection");
            found.removeIf(t -> (t.schema() + "." + t.table()).equals(signals)); // Debezium's own, rewritten by it
            return new ArrayList<>(found);
        }
    }
}
