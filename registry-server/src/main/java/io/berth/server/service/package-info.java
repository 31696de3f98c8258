/**
 * The registry's services: they speak the domain (push a manifest, mount a blob, append a chunk),
 * own the transactions, and combine the blob store with the metadata. They return records, never
 * entities, and throw {@link io.berth.server.error.RegistryException} for requests they refuse.
 */
package io.berth.server.service;
