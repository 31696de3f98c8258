/**
 * Where a store keeps what: one pure function from a blob or an upload to a key, shared by every
 * store. Keys are relative, '/'-separated, and carry the layout's version, so a future layout can
 * live beside this one.
 *
 * <pre>
 * &lt;root&gt;/
 * └── v1/
 *     ├── blobs/
 *     │   └── &lt;algorithm&gt;/             sha256 or sha512
 *     │       └── &lt;first 2 hex&gt;/         fans out the directory (256 entries)
 *     │           └── &lt;hex&gt;             the blob's bytes, written once, never changed
 *     └── uploads/
 *         └── &lt;upload uuid&gt;/
 *             ├── data                   bytes received so far, moved to blobs/ on commit
 *             ├── startedat              S3 only: marks the upload as open (empty)
 *             └── tail-&lt;uuid&gt;            S3 only: the bytes after the last full part (&lt; 5 MiB)
 * </pre>
 *
 * <p>On S3, {@code data} is the key of the staging multipart upload: its parts cannot be read until it
 * is completed at commit, then it is copied server-side to {@code blobs/}. A blob sent whole with its
 * digest goes straight to its {@code blobs/} key instead, as a multipart upload completed only once
 * the digest is verified. The store's key prefix ({@code berth.storage.s3.prefix}) comes before
 * {@code v1/}.
 *
 * <p>Which repository may read which blob, and which manifest refers to it, is metadata in
 * PostgreSQL, not a file here (CNCF distribution keeps it as {@code link} files).
 */
package io.berth.storage.layout;
