/**
 * Content-addressed blob storage: the bytes of layers and configs, stored once for the whole
 * registry under their digest.
 *
 * <p>This package knows nothing about repositories, tags, manifests, SQL or HTTP. Its SPI is split by
 * role, as CNCF distribution splits {@code blobs.go}: {@link io.berth.storage.BlobReader} serves
 * bytes, {@link io.berth.storage.BlobIngester} receives them through resumable uploads whose whole
 * state ({@link io.berth.storage.UploadState}) the caller persists between requests, and
 * {@link io.berth.storage.BlobDeleter} and {@link io.berth.storage.BlobWalker} serve the garbage
 * collector. {@link io.berth.storage.BlobStore} composes them; the implementation is chosen by
 * {@code berth.storage.type}.
 */
package io.berth.storage;
