/**
 * Berth's own Prometheus metrics, beside the HTTP request metrics Quarkus records per endpoint and
 * status ({@code http_server_requests_seconds}): blob bytes received and sent, and how long uploads take.
 */
package io.berth.server.metrics;
