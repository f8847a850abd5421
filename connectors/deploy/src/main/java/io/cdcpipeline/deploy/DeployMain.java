package io.cdcpipeline.deploy;

import io.cdcpipeline.core.position.ConnectSourcePosition;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/cdc deploy}: puts the connectors of {@code connect-configs/connect} on a Kafka Connect cluster. Every
 * config is validated by the worker first; one error anywhere and nothing is changed. Then each connector is created
 * or updated ({@code PUT /connectors/{name}/config}, idempotent: an unchanged config is not sent), sources before
 * sinks so that the sinks' topics exist. {@code --dry-run} prints the diff against what runs, {@code --status} the
 * connectors' and tasks' states and, for Debezium Postgres sources, whether the stored position still matches the
 * replication slot (a lost position is flagged: exit 1); {@code --restart-failed} restarts failed connectors and
 * tasks.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Validate, create or update the Kafka Connect connectors of connect-configs/connect.")
public final class DeployMain implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "FILE|DIR",
            description = "Connector JSON files, or folders of them (default: connect-configs/connect).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--url", description = "The Connect worker's REST URL (default: $CDC_CONNECT_URL, else "
            + "http://127.0.0.1:8083).")
    URI url;

    @Option(names = "--dry-run", description = "Validate and print what would change; change nothing.")
    boolean dryRun;

    @Option(names = "--status", description = "Print every connector's and task's state and, for Postgres sources, "
            + "whether the stored position matches the replication slot (exit 1 when something failed or is flagged).")
    boolean status;

    @Option(names = "--restart-failed", description = "With --status: restart failed connectors and tasks.")
    boolean restartFailed;

    @Option(names = "--source-url", description = "With --status: the JDBC URL that reaches the source database "
            + "from here, for the position check, when the connector's own database.* settings do not (a host name "
            + "inside a Docker network), e.g. jdbc:postgresql://localhost:5432/shop?user=cdc&password=...")
    String sourceUrl;

    private final PrintStream out;
    private final PrintStream err;

    public DeployMain() {
        this(System.out, System.err);
    }

    DeployMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new DeployMain()).execute(args));
    }

    @Override
    public Integer call() {
        ConnectRestClient connect = new ConnectRestClient(url != null ? url : defaultUrl());
        try {
            if (status || restartFailed) {
                return status(connect);
            }
            return deploy(connect);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static URI defaultUrl() {
        String env = System.getenv("CDC_CONNECT_URL");
        return URI.create(env != null && !env.isBlank() ? env : "http://127.0.0.1:8083");
    }

    private int deploy(ConnectRestClient connect) throws IOException {
        List<ConnectorFile> files = ConnectorFile.loadAll(paths.isEmpty() ? List.of(Path.of(System.getProperty("cdc.home",
                "."), "connect-configs", "connect")) : paths);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no connector JSON files in " + paths);
        }
        int problems = 0;
        Map<ConnectorFile, Set<String>> secrets = new HashMap<>();
        for (ConnectorFile file : files) {
            ConnectRestClient.Validation validation = connect.check(file.config());
            secrets.put(file, validation.secretKeys());
            for (ConnectRestClient.Problem problem : validation.problems()) {
                err.println(file.file() + " (" + file.name() + "): " + problem.key() + ": " + problem.message());
                problems++;
            }
        }
        if (problems > 0) {
            err.println("error: " + problems + " setting(s) refused by the worker; nothing was changed");
            return 2;
        }
        Map<String, String> types = connect.plugins();
        List<ConnectorFile> ordered = new ArrayList<>(files);
        ordered.sort(Comparator.comparing(f -> "source".equals(types.get(f.connectorClass())) ? 0 : 1));
        for (ConnectorFile file : ordered) {
            Map<String, String> running = connect.config(file.name());
            List<String> diff = ConfigDiff.between(running, file.config(), secrets.get(file));
            if (diff.isEmpty()) {
                out.println(file.name() + ": unchanged");
                continue;
            }
            if (dryRun) {
                out.println(file.name() + ": would be " + (running == null ? "created" : "updated"));
                diff.forEach(line -> out.println("  " + line));
                continue;
            }
            boolean created = connect.put(file.name(), file.config());
            out.println(file.name() + ": " + (created ? "created" : "updated (" + diff.size() + " settings changed)"));
        }
        return 0;
    }

    private int status(ConnectRestClient connect) throws IOException {
        List<ConnectRestClient.ConnectorState> states = connect.states();
        out.printf("%-32s %-7s %-12s %s%n", "CONNECTOR", "TYPE", "STATE", "TASKS (id:state@worker)");
        boolean failed = false;
        for (ConnectRestClient.ConnectorState state : states) {
            StringBuilder tasks = new StringBuilder();
            state.tasks().forEach(t -> tasks.append(t.id()).append(':').append(t.state()).append('@')
                    .append(t.workerId()).append(' '));
            out.printf("%-32s %-7s %-12s %s%n", state.name(), state.type(), state.state(), tasks.toString().strip());
            if (state.trace() != null) {
                out.println("  connector: " + state.trace());
            }
            state.tasks().stream().filter(t -> t.trace() != null)
                    .forEach(t -> out.println("  task " + t.id() + ": " + t.trace()));
            if ("source".equals(state.type())) {
                ConnectSourcePosition.Result position = connect.position(state.name(), sourceUrl);
                if (position != null) {
                    out.println("  position: " + position.describe());
                    failed |= position.flagged();
                }
            }
            if (state.failed()) {
                failed = true;
                if (restartFailed) {
                    connect.restartFailed(state.name());
                    out.println("  restarting the failed parts of " + state.name());
                }
            }
        }
        return failed && !restartFailed ? 1 : 0;
    }
}
