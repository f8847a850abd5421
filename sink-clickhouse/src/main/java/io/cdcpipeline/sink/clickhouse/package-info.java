/** The Kafka Connect sink connector for ClickHouse. */
package io.cdcpipeline.sink.clickhouse;
