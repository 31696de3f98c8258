/**
 * Readiness checks at {@code /q/health/ready}: the metadata database answers and its schema is migrated,
 * and the blob store answers. Anyone may ask, so the answers name only what is checked and its state;
 * paths, addresses and the errors themselves go to the log when a state changes.
 */
package io.berth.server.health;
