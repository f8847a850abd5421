/**
 * Kafka Connect single-message transforms for CDC records. They run unchanged in the embedded runner and in any
 * Kafka Connect worker.
 */
package io.cdcpipeline.transforms;
