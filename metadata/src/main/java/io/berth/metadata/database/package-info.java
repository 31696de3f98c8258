/**
 * The database Berth keeps its metadata in: an external PostgreSQL when {@code berth.database.url}
 * is set, otherwise a PostgreSQL that Berth starts itself under {@code <berth.data-dir>/postgres}
 * (the embedded default, from zonky's binaries on Maven Central). Either way the Flyway migrations
 * run before the registry serves anything.
 */
package io.berth.metadata.database;
