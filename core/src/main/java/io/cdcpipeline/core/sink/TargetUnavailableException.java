package io.cdcpipeline.core.sink;

import org.apache.kafka.connect.errors.RetriableException;

/**
 * The target takes no write at all, and no record is at fault: its database is missing, the account is refused or
 * lacks a permission, the server or index is read-only, its disk is full. The sink pauses: the batch is given back
 * to be delivered again (Connect redelivers it after a pause; the embedded runner retries until its retry timeout,
 * then stops), nothing is dead-lettered, and the message names the setting or the fix.
 */
public class TargetUnavailableException extends RetriableException {

    public TargetUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
