package io.cdcpipeline.lag.slo;

/** How fresh a sink is against its SLO's levels. */
public enum Level {
    OK, WARNING, CRITICAL
}
