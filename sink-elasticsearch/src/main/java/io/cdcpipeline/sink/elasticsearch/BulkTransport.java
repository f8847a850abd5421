package io.cdcpipeline.sink.elasticsearch;

import java.io.IOException;
import java.util.List;

/**
 * Where {@link BulkSender} sends its {@code _bulk} requests: Elasticsearch ({@link RestBulkTransport}), or in unit
 * tests a scripted answer, so that every outcome (409, 429, 5xx, blocks, refusals, a whole request refused) is
 * exercised in milliseconds. Integration tests run the real one against real nodes.
 */
interface BulkTransport {

    /**
     * Sends one {@code _bulk} request of these actions and returns the answer's items, one per action, in order.
     *
     * @throws RequestRefused when the request as a whole was answered with an error status
     * @throws IOException    when it could not be sent or answered (the network, a node going away)
     */
    List<Item> send(List<DocumentAction> actions) throws IOException, RequestRefused;

    /** A whole request answered with an HTTP error status, before any item was looked at. */
    final class RequestRefused extends Exception {
        private final int status;

        RequestRefused(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        int status() {
            return status;
        }
    }
}
