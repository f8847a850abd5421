package io.cdcpipeline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * One row of {@code docs/reliability.md}: a fault or bad input a test tried, what was expected and what the test
 * observed. A test records its row only after its assertions passed, so the page lists what held on the last run;
 * {@link ReliabilityReport} gathers the rows of a whole {@code bin/cdc test} into the page.
 *
 * <pre>{@code
 * ReliabilityCase.fault("ClickHouse down 60 s under load")
 *         .expected("Elasticsearch stays fresh; ClickHouse catches up; nothing dead-lettered")
 *         .observed("search fresh during the outage, both copies equal Postgres after it")
 *         .rowsCompared(450)
 *         .record();
 * }</pre>
 */
public final class ReliabilityCase {

    /** The page's sections. */
    public enum Kind {
        FAULT("Faults"), BAD_INPUT("Bad input"), DEFECT("Defects found by review, each with the test that failed before its fix");

        final String heading;

        Kind(String heading) {
            this.heading = heading;
        }
    }

    /** Where a run's rows are kept until the report is written: the project's own {@code target/}. */
    static Path rowsDir() {
        return ProjectRoot.path().resolve("target/reliability");
    }

    /**
     * The test that recorded the row: the outermost method of the calling test class (a helper of the test may be the
     * one that calls {@link #record}), as {@code Class.method}.
     */
    private static String testMethod(Stream<StackWalker.StackFrame> frames) {
        List<StackWalker.StackFrame> callers = frames
                .filter(f -> !f.getClassName().equals(ReliabilityCase.class.getName())).toList();
        String testClass = callers.get(0).getClassName().replaceAll("\\$.*", "");
        String method = callers.get(0).getMethodName();
        for (StackWalker.StackFrame frame : callers) {
            if (!frame.getClassName().replaceAll("\\$.*", "").equals(testClass)) {
                break;
            }
            if (!frame.getMethodName().startsWith("lambda$")) {
                method = frame.getMethodName();
            }
        }
        return testClass.substring(testClass.lastIndexOf('.') + 1) + "." + method;
    }

    /** Where the rows of the last long run are kept (committed). */
    static Path longRowsDir() {
        return ProjectRoot.path().resolve("docs/reliability/cases");
    }

    private final Kind kind;
    private final String name;
    private String mode = "embedded";
    private String expected = "";
    private String observed = "";
    private long rowsCompared = -1;

    private ReliabilityCase(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    public static ReliabilityCase fault(String name) {
        return new ReliabilityCase(Kind.FAULT, name);
    }

    public static ReliabilityCase badInput(String name) {
        return new ReliabilityCase(Kind.BAD_INPUT, name);
    }

    public static ReliabilityCase defect(String name) {
        return new ReliabilityCase(Kind.DEFECT, name);
    }

    /** Which runner the case ran in: {@code embedded} (the default), {@code Connect}, or {@code both}. */
    public ReliabilityCase mode(String mode) {
        this.mode = mode;
        return this;
    }

    public ReliabilityCase expected(String text) {
        this.expected = text;
        return this;
    }

    public ReliabilityCase observed(String text) {
        this.observed = text;
        return this;
    }

    /** Rows (or documents) the test compared with Postgres after the case; each one equal, so none lost. */
    public ReliabilityCase rowsCompared(long rows) {
        this.rowsCompared = rows;
        return this;
    }

    /** Writes the row, named after the test that calls this; call it after the test's assertions. */
    public void record() {
        String test = StackWalker.getInstance().walk(ReliabilityCase::testMethod);
        Properties row = new Properties();
        row.setProperty("kind", kind.name());
        row.setProperty("case", name);
        row.setProperty("mode", mode);
        row.setProperty("expected", expected);
        row.setProperty("observed", observed);
        row.setProperty("rows", Long.toString(rowsCompared));
        row.setProperty("test", test + (LongRun.enabled() ? " (bin/cdc test --long)" : ""));
        String file = (kind + "-" + name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + ".properties";
        try {
            Path dir = Files.createDirectories(rowsDir());
            try (Writer out = Files.newBufferedWriter(dir.resolve(file))) {
                row.store(out, null);
            }
            if (LongRun.enabled()) { // a long suite's rows are committed, and every report includes them
                Path kept = Files.createDirectories(longRowsDir());
                try (Writer out = Files.newBufferedWriter(kept.resolve(file))) {
                    row.store(out, null);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
