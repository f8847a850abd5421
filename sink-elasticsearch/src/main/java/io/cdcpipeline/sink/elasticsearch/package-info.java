/** The Kafka Connect sink connector for Elasticsearch. */
package io.cdcpipeline.sink.elasticsearch;
