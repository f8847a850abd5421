/**
 * What every part of the pipeline shares: the change-event model read from Debezium records and the type helpers
 * that map Connect and Debezium logical types. Kept small so that the transforms, both sinks, the runners and the
 * lag monitor depend on one definition instead of copies.
 */
package io.cdcpipeline.core;
