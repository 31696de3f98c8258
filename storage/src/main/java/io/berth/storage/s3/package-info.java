/**
 * The S3 blob store: blobs as objects of one bucket (AWS S3, MinIO, Ceph, s3proxy, ...), reached with
 * the MinIO Java client, in the same {@link io.berth.storage.layout.BlobLayout} as the filesystem
 * store under an optional key prefix. Uploads are staged in S3 itself (a multipart upload plus a small
 * tail object), and what the store must remember between chunks travels in
 * {@link io.berth.storage.UploadState#storeState()}, so several stateless replicas share one bucket
 * and continue each other's uploads.
 *
 * <p>{@link io.berth.storage.s3.S3BlobStore} implements the store's contract on top of three helpers:
 * {@link io.berth.storage.s3.PartSender} sends the parts of one multipart upload (filled in a
 * {@link io.berth.storage.s3.PartBuffer}), {@link io.berth.storage.s3.S3Staging} assembles, rehashes,
 * copies and discards staged uploads (described by {@link io.berth.storage.s3.StagedUpload}), and
 * {@link io.berth.storage.s3.S3Calls} builds the client, makes every S3 request and turns its failures
 * into storage exceptions.
 */
package io.berth.storage.s3;
