package io.cdcpipeline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Long suites ({@code bin/cdc test --long}, system property {@code cdc.long=true}): the same tests with many more
 * rounds. Their figures are written as a Markdown page: under {@code target/figures/} on every run, and into
 * {@code docs/reliability/} on a long run, whose latest figures are committed.
 */
public final class LongRun {

    private LongRun() {
    }

    public static boolean enabled() {
        return Boolean.getBoolean("cdc.long");
    }

    /** {@code longCount} on a long run, else {@code shortCount}. */
    public static int rounds(int shortCount, int longCount) {
        return enabled() ? longCount : shortCount;
    }

    /** Writes a page of figures named {@code name}.md, with the machine and date added at its foot. */
    public static void publish(String name, String markdown) {
        String page = markdown + "\n\nMeasured on " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
                + System.getProperty("java.version") + (enabled() ? " (long run)" : " (short run)") + ".\n";
        try {
            Path local = Files.createDirectories(Path.of("target", "figures")).resolve(name + ".md");
            Files.writeString(local, page);
            if (enabled()) {
                Path docs = Files.createDirectories(ProjectRoot.path().resolve("docs/reliability")).resolve(name + ".md");
                Files.writeString(docs, page);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
