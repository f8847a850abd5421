/**
 * The freshness and consistency service: measures how far each copy is behind Postgres, checks freshness SLOs and
 * alerts.
 */
package io.cdcpipeline.lag;
