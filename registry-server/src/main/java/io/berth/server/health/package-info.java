/** Readiness checks at {@code /q/health/ready}: the metadata schema is migrated and the blob store answers. The datasource check comes with Quarkus. */
package io.berth.server.health;
