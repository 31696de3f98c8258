/**
 * The S3 blob store: blobs as objects of one bucket (AWS S3, MinIO, Ceph, s3proxy, ...), reached with
 * the MinIO Java client, in the same {@link io.berth.storage.layout.BlobLayout} as the filesystem
 * store under an optional key prefix. Uploads are staged in S3 itself (a multipart upload plus a small
 * tail object), and what the store must remember between chunks travels in
 * {@link io.berth.storage.UploadState#storeState()}, so several stateless replicas share one bucket
 * and continue each other's uploads.
 */
package io.berth.storage.s3;
