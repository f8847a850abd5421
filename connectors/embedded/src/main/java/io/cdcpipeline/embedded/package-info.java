/**
 * The embedded runner: Debezium's Postgres connector in the Debezium engine, feeding the same transforms and sink
 * tasks that a Kafka Connect worker runs.
 */
package io.cdcpipeline.embedded;
