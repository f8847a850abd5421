package io.cdcpipeline.embedded.position;

import java.nio.file.Path;

/**
 * A position file exists but cannot be read. The runner stops on it rather than start from nothing: a fresh start
 * would take a new snapshot and could leave rows deleted meanwhile in the copies.
 */
public final class UnreadablePositionException extends RuntimeException {

    private final Path file;

    UnreadablePositionException(Path file, String why, Throwable cause) {
        super("the stored source position " + file + " cannot be used: " + why + ". The runner will not start from "
                + "nothing on its own. Either restore the file from a backup, or start with "
                + "--resnapshot to take a new snapshot (the file is kept aside; rows deleted meanwhile are removed "
                + "from the copies when the snapshot completes)", cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
