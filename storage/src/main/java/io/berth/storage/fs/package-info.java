/**
 * The filesystem blob store, Berth's default: blobs under a local or shared directory, served with
 * {@code sendfile}. Several replicas can share it over a network filesystem that supports atomic
 * rename.
 */
package io.berth.storage.fs;
