package io.cdcpipeline.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The project folder, for tests that read its scripts, docs and deployable configs. */
public final class ProjectRoot {

    private ProjectRoot() {
    }

    /**
     * The {@code cdc.project.root} system property (set by the build), else the nearest parent of the working
     * directory that holds {@code bin/cdc}.
     */
    public static Path path() {
        String configured = System.getProperty("cdc.project.root");
        if (configured != null && Files.isExecutable(Paths.get(configured, "bin", "cdc"))) {
            return Paths.get(configured);
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("bin/cdc"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find bin/cdc from " + Paths.get("").toAbsolutePath()
                + "; set -Dcdc.project.root to the project folder");
    }
}
