package io.cdcpipeline.lag.config;

/** A setting of the monitor's config file is missing or wrong; the message names it by its path. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
