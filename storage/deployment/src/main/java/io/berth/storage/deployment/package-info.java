/**
 * The build-time half of the storage module as a Quarkus extension: it names the feature and has
 * Quarkus open the JDK packages that hold the SHA-2 digests' running state to storage, in the runner
 * jar's manifest and in tests, so that chunked uploads can save that state without command-line flags.
 */
package io.berth.storage.deployment;
