package io.cdcpipeline.embedded.position;

/** The runner will not start from what it has stored: going on would lose changes without saying so. */
public final class PositionRefusedException extends RuntimeException {

    public PositionRefusedException(String message) {
        super(message);
    }
}
