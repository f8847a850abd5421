package io.cdcpipeline.embedded;

/** The source Postgres cannot serve a change stream as it is configured; the message says what to change. */
public final class SourceNotReadyException extends RuntimeException {

    public SourceNotReadyException(String message) {
        super(message);
    }
}
