/**
 * Berth's metadata in PostgreSQL: repositories, the blobs each may serve, manifests with their
 * references, tags and upload sessions. {@code entity} maps the tables, {@code repository} holds the
 * queries (one bean per aggregate), {@code database} starts the embedded PostgreSQL and applies the
 * Flyway migrations in {@code db/migration}.
 */
package io.berth.metadata;
